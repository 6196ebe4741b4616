"""Commands of the understanding core: classify, evaluate, train, models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn

from madoguchi.commands.json_lines import each_line, emit
from madoguchi.context import AppContext
from madoguchi.errors import UserError
from nlp.corpus import Example, read_examples
from nlp.evaluation import evaluate, format_report, plot_confusion
from nlp.promotion import predict_labels
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
    report = evaluate(app_ctx.taxonomy.ids, [e.label for e in examples], predict_labels(classifier, examples))
    if plot is not None:
        plot_confusion(report, plot)
    if as_json:
        emit({**report.as_dict(), "model_version": classifier.version})
    else:
        typer.echo(f"model {classifier.version}")
        typer.echo(format_report(report))


def _approved_examples(app_ctx: AppContext) -> list[Example]:
    """Approved label feedback as training examples (text stored redacted, redacted again
    by the trainer)."""
    from storage.repositories import feedback

    with app_ctx.ready_database().session() as session:
        rows = feedback.approved_for_training(session)
        return [
            Example(row.text, row.label, tuple(row.secondary_labels), source=f"feedback:{row.source}")
            for row in rows
        ]


def _fixed_split(app_ctx: AppContext) -> list[Example]:
    return read_examples(app_ctx.settings.eval_file, app_ctx.taxonomy.ids)


def train_command(
    ctx: typer.Context,
    promote: Annotated[bool, typer.Option("--promote", help="Promote the new version (guarded).")] = False,
    force: Annotated[bool, typer.Option("--force", help="With --promote: even if it scores worse.")] = False,
) -> None:
    """Train on the corpus plus approved feedback, print the cross-validated report and the
    score on the fixed split, register a new version (one training at a time)."""
    from nlp.bootstrap import train_and_register
    from nlp.promotion import promote_checked, report_from_dict

    app_ctx: AppContext = ctx.obj
    extra = _approved_examples(app_ctx)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(*columns, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        meta = train_and_register(
            app_ctx.registry, app_ctx.settings.corpus_dir, app_ctx.taxonomy, progress,
            extra=extra, eval_path=app_ctx.settings.eval_file,
        )
    typer.echo(f"registered {meta.version} ({meta.examples} examples, data {meta.data_hash[:12]})")
    typer.echo("sources: " + ", ".join(f"{k} {v}" for k, v in sorted(meta.sources.items())))
    typer.echo("cross-validated (5 folds):")
    typer.echo(format_report(report_from_dict(meta.metrics)))
    fixed = report_from_dict(meta.evaluation["report"])
    typer.echo(f"fixed split {app_ctx.settings.eval_file.name}: accuracy {fixed.accuracy:.4f}"
               f"  macro-F1 {fixed.macro_f1:.4f}")
    registry = app_ctx.registry
    if registry.current_version() is None:
        registry.promote(meta.version)
        typer.echo(f"promoted {meta.version}")
    elif promote:
        check = promote_checked(registry, meta.version, _fixed_split(app_ctx), app_ctx.taxonomy.ids,
                                tolerance=app_ctx.settings.promotion_tolerance, force=force)
        typer.echo(check.explain())
        typer.echo(f"promoted {meta.version}")


@models_app.command("list")
def models_list(ctx: typer.Context) -> None:
    """Every registered version: cross-validated and fixed-split macro-F1."""
    app_ctx: AppContext = ctx.obj
    current = app_ctx.registry.current_version()
    for meta in app_ctx.registry.versions():
        mark = "*" if meta.version == current else " "
        fixed = meta.evaluation.get("report", {}).get("macro_f1")
        fixed_text = f"{fixed:.3f}" if isinstance(fixed, float | int) else "  -  "
        typer.echo(
            f"{mark} {meta.version:<6} {meta.created_at}  macro-F1 {meta.metrics['macro_f1']:.3f}"
            f"  fixed split {fixed_text}  examples {meta.examples}  sha256 {meta.sha256[:12]}"
        )


@models_app.command("promote")
def models_promote(
    ctx: typer.Context,
    version: str,
    force: Annotated[bool, typer.Option("--force", help="Promote even if it scores worse.")] = False,
) -> None:
    """Make VERSION the model every service uses, unless it scores worse than the current
    one on the fixed split by more than MADOGUCHI_PROMOTION_TOLERANCE."""
    from nlp.promotion import promote_checked

    app_ctx: AppContext = ctx.obj
    check = promote_checked(app_ctx.registry, version, _fixed_split(app_ctx), app_ctx.taxonomy.ids,
                            tolerance=app_ctx.settings.promotion_tolerance, force=force)
    typer.echo(check.explain())
    typer.echo(f"promoted {version}")


@models_app.command("rollback")
def models_rollback(ctx: typer.Context) -> None:
    """Return to the previously promoted version."""
    app_ctx: AppContext = ctx.obj
    previous = app_ctx.registry.previous_version()
    if previous is not None:
        app_ctx.registry.load(previous)  # refuses a corrupt or untrusted artifact first
    typer.echo(f"rolled back to {app_ctx.registry.rollback()}")


@models_app.command("compare")
def models_compare(
    ctx: typer.Context,
    a: str,
    b: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Changed examples to print.")] = 20,
) -> None:
    """Per-label F1 of A and B on the fixed split, and the examples whose prediction changed."""
    from nlp.promotion import compare

    app_ctx: AppContext = ctx.obj
    comparison = compare(app_ctx.registry, a, b, _fixed_split(app_ctx), app_ctx.taxonomy.ids)
    if as_json:
        emit(comparison.as_dict())
        return
    typer.echo(f"fixed split: macro-F1 {a} {comparison.a.report.macro_f1:.4f}"
               f"  {b} {comparison.b.report.macro_f1:.4f}")
    typer.echo(f"{'label':<14}{a:>9}{b:>9}{'diff':>9}")
    for label, (fa, fb) in comparison.per_label().items():
        typer.echo(f"{label:<14}{fa:>9.3f}{fb:>9.3f}{fb - fa:>+9.3f}")
    typer.echo(f"{len(comparison.changed)} examples changed prediction")
    for text, truth, pa, pb in comparison.changed[:limit]:
        mark = "+" if pb == truth else ("-" if pa == truth else " ")
        typer.echo(f" {mark} [{truth}] {pa} -> {pb}  {text[:60]}")


def register(app: typer.Typer) -> None:
    """Attach these commands to the root CLI."""
    app.command("classify")(classify)
    app.command("evaluate")(evaluate_command)
    app.command("train")(train_command)
    app.add_typer(models_app, name="models")
