"""Commands of the understanding core: classify, evaluate, train, models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn

from madoguchi.commands.json_lines import each_line, emit
from madoguchi.context import AppContext
from madoguchi.errors import UserError
from nlp.corpus import read_examples
from nlp.evaluation import evaluate, format_report, plot_confusion
from nlp.features import as_columns, prepare
from nlp.understand import EmptyTextError

models_app = typer.Typer(help="List, promote and roll back classifier versions.", no_args_is_help=True)


def classify(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Inquiry text; omit it to read JSON lines.")] = None,
) -> None:
    """Classify one inquiry, or JSON lines {"text": ...} from stdin (one result per line)."""
    app_ctx: AppContext = ctx.obj
    understander = app_ctx.understander
    if text is not None:
        try:
            emit(understander.understand(text).as_dict())
        except EmptyTextError as exc:
            raise UserError("the text is empty; write the inquiry in words") from exc
        return
    each_line(lambda item: understander.understand(item["text"]).as_dict())


def evaluate_command(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option("--data", help="JSONL with text and label.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a confusion-matrix PNG.")] = None,
    version: Annotated[str | None, typer.Option("--model", help="Model version (default current).")] = None,
) -> None:
    """Score the classifier on labelled data: accuracy, macro-F1, per label, confusion."""
    app_ctx: AppContext = ctx.obj
    examples = read_examples(data, app_ctx.taxonomy.ids)
    classifier = app_ctx.registry.load(version) if version else app_ctx.classifier()
    probabilities = classifier.pipeline.predict_proba(as_columns([prepare(e.text) for e in examples]))
    labels = list(classifier.labels)
    predicted = [labels[i] for i in probabilities.argmax(axis=1)]
    report = evaluate(app_ctx.taxonomy.ids, [e.label for e in examples], predicted)
    if plot is not None:
        plot_confusion(report, plot)
    if as_json:
        emit({**report.as_dict(), "model_version": classifier.version})
    else:
        typer.echo(f"model {classifier.version}")
        typer.echo(format_report(report))


def train_command(
    ctx: typer.Context,
    promote: Annotated[bool, typer.Option("--promote", help="Promote the new version.")] = False,
) -> None:
    """Train on the corpus, print the cross-validated report, register a new version."""
    from nlp.bootstrap import train_and_register

    app_ctx: AppContext = ctx.obj
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(*columns, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        meta = train_and_register(app_ctx.registry, app_ctx.settings.corpus_dir, app_ctx.taxonomy, progress)
    from nlp.evaluation import LabelScore, Report

    metrics = dict(meta.metrics)
    metrics["per_label"] = {k: LabelScore(**v) for k, v in metrics["per_label"].items()}
    metrics["labels"] = tuple(metrics["labels"])
    metrics["confusion"] = tuple(tuple(r) for r in metrics["confusion"])
    typer.echo(f"registered {meta.version} ({meta.examples} examples, data {meta.data_hash[:12]})")
    typer.echo("cross-validated (5 folds):")
    typer.echo(format_report(Report(**metrics)))
    if promote or app_ctx.registry.current_version() is None:
        app_ctx.registry.promote(meta.version)
        typer.echo(f"promoted {meta.version}")


@models_app.command("list")
def models_list(ctx: typer.Context) -> None:
    """Every registered version with its cross-validated macro-F1."""
    app_ctx: AppContext = ctx.obj
    current = app_ctx.registry.current_version()
    for meta in app_ctx.registry.versions():
        mark = "*" if meta.version == current else " "
        typer.echo(
            f"{mark} {meta.version:<6} {meta.created_at}  macro-F1 {meta.metrics['macro_f1']:.3f}"
            f"  examples {meta.examples}  sha256 {meta.sha256[:12]}"
        )


@models_app.command("promote")
def models_promote(ctx: typer.Context, version: str) -> None:
    """Make VERSION the model every service uses."""
    app_ctx: AppContext = ctx.obj
    app_ctx.registry.load(version)  # refuses a corrupt or untrusted artifact before promoting
    app_ctx.registry.promote(version)
    typer.echo(f"promoted {version}")


@models_app.command("rollback")
def models_rollback(ctx: typer.Context) -> None:
    """Return to the previously promoted version."""
    app_ctx: AppContext = ctx.obj
    typer.echo(f"rolled back to {app_ctx.registry.rollback()}")


def register(app: typer.Typer) -> None:
    """Attach these commands to the root CLI."""
    app.command("classify")(classify)
    app.command("evaluate")(evaluate_command)
    app.command("train")(train_command)
    app.add_typer(models_app, name="models")
