"""The hub directory: file format, validation, import, export, the sample and statistics.

load_directory(path, categories=...)   file -> validated `Directory` (or DirectoryFileError)
import_directory(session, directory=..., actor=...)   -> ImportSummary (no commit)
read_directory(session) / write_directory(directory, path)   database -> file
build_sample()   the programme-shaped sample `Directory`
directory_stats(session)   counts of the active directory
"""

from storage.directory.entries import CoordinatorEntry, Directory, HubEntry, PartnerEntry
from storage.directory.importer import ImportSummary, import_directory
from storage.directory.sample import build_sample
from storage.directory.stats import directory_stats, format_stats, summarize
from storage.directory.validate import load_directory
from storage.directory.writer import dump_csv, dump_yaml, read_directory, write_directory
from storage.errors import DirectoryFileError, Problem

__all__ = [
    "CoordinatorEntry",
    "Directory",
    "DirectoryFileError",
    "HubEntry",
    "ImportSummary",
    "PartnerEntry",
    "Problem",
    "build_sample",
    "directory_stats",
    "dump_csv",
    "dump_yaml",
    "format_stats",
    "import_directory",
    "load_directory",
    "read_directory",
    "summarize",
    "write_directory",
]
