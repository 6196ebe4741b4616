"""The report as one self-contained HTML page in Japanese (inline CSS and SVG, no scripts).

Everything that comes from the database (hub and coordinator names, comments) passes
through `html.escape`, so a name such as ``<script>`` is shown as text, never run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from reports import charts
from reports.charts import Bar
from reports.compute import month_name
from reports.figures import HubResponse, Report, Satisfaction

NO_DATA = "データがありません。"
REFERENCE = "回答数が少ないため参考値"
ACCEPT_REFERENCE = "受付件数が少ないため参考値"
CHART_ROWS = 30  # longer lists are charted for their first rows; the tables show them all

STYLE = """
body{font-family:'IPAGothic','IPAexGothic','Noto Sans CJK JP','Hiragino Sans','Meiryo',sans-serif;
color:#222;margin:0 auto;max-width:1000px;padding:24px;line-height:1.6;background:#fff}
h1{font-size:1.6em;border-bottom:3px solid #2f6db5;padding-bottom:.3em}
h2{font-size:1.25em;margin-top:2em;border-left:6px solid #2f6db5;padding-left:.5em}
h3{font-size:1.05em;margin-top:1.4em}
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.92em}
th,td{border:1px solid #d5d9de;padding:.25em .6em;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#eef3fa}
.note{color:#555;font-size:.9em}
.ref{color:#7a5b00;background:#fff6d6;padding:0 .4em;border-radius:3px;font-size:.85em;white-space:nowrap}
.best{color:#fff;background:#c0392b;padding:0 .4em;border-radius:3px;font-size:.85em}
.highlight{background:#f3f8ff;border:1px solid #c9dcf5;padding:.8em 1.2em;border-radius:6px}
figure{margin:.5em 0 1em;overflow-x:auto}
figcaption{font-size:.9em;color:#555}
"""


def e(value: object) -> str:
    """Escaped text for HTML (attribute-safe too)."""
    return escape(str(value), quote=True)


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A table; ``rows`` cells are already HTML, ``numeric`` columns align right."""
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    header = "".join(f"<th>{e(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{e(caption)}</figcaption></figure>"


def _no_data() -> str:
    return f'<p class="empty">{NO_DATA}</p>'


def _rank(rank: int | None, enough: bool, reference: str) -> str:
    if not enough:
        return f'<span class="ref">{e(reference)}</span>'
    if rank is None:
        return "—"
    badge = ' <span class="best">最優秀</span>' if rank == 1 else ""
    return f"第{rank}位{badge}"


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}時間"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _intro(report: Report) -> str:
    if report.first_month and report.last_month:
        period = f"{month_name(report.first_month)}〜{month_name(report.last_month)}"
    else:
        period = "（相談はまだありません）"
    best_sat = "、".join(f"{e(s.name)}（平均{_score(s.mean_score)}点・回答{s.responses}件）"
                         for s in report.best_by_satisfaction)
    best_acc = "、".join(f"{e(h.hub_name)}（中央値{_hours(h.median_hours)}・受付{h.accepted}件）"
                         for h in report.best_by_acceptance)
    best_people = "、".join(
        f"{e(s.name)}さん（{e(s.detail)}、平均{_score(s.mean_score)}点・回答{s.responses}件）"
        for s in report.best_coordinators
    )
    none = "順位付けに必要な件数に達した拠点はまだありません。"
    return (
        f'<p>作成日時：{e(report.generated_at)}（日本時間）<br>対象期間：{e(period)}<br>'
        f"相談件数：{report.total_leads}件</p>"
        f'<p class="note">公平を期すため、回答数（受付時間については受付件数）が{report.min_responses}件'
        f"未満の数値は「{REFERENCE}」としてお示しし、順位付けの対象にしていません。"
        "月別の集計は日本時間によります。</p>"
        '<div class="highlight"><h3>優れた拠点・コーディネーターの表彰</h3>'
        f"<p>利用者満足度が最も高い拠点：{best_sat or e(none)}</p>"
        f"<p>受付までの時間が最も短い拠点：{best_acc or e(none)}</p>"
        f"<p>利用者満足度が最も高いコーディネーター：{best_people or e(none.replace('拠点', '方'))}</p></div>"
    )


def _categories(report: Report) -> str:
    if not report.total_leads:
        return _no_data()
    bars = [Bar(c.name, c.count, f"{c.count}件") for c in report.categories]
    rows = [(e(c.name), str(c.count)) for c in report.categories]
    return _figure(charts.hbars("categories", "分野別の相談件数", bars), "分野別の相談件数") + _table(
        ("分野", "件数"), rows, numeric=(1,))


def _places(report: Report) -> str:
    if not report.total_leads:
        return _no_data()
    regions = [Bar(r.region, r.count, f"{r.count}件") for r in report.regions]
    prefectures = [p for r in report.regions for p in r.prefectures if p.count]
    html = _figure(charts.hbars("regions", "経済産業局の管轄地域別の相談件数", regions),
                   "経済産業局の管轄地域別の相談件数（沖縄は沖縄総合事務局）")
    if prefectures:
        bars = [Bar(p.name, p.count, f"{p.count}件") for p in prefectures]
        html += _figure(charts.hbars("prefectures", "都道府県別の相談件数", bars),
                        "都道府県別の相談件数（相談のあった都道府県）")
    rows = [(e(r.region), e(p.name), str(p.count)) for r in report.regions for p in r.prefectures if p.count]
    if report.unknown_prefecture:
        rows.append(("—", "所在地の記載なし", str(report.unknown_prefecture)))
    return html + _table(("地域", "都道府県", "件数"), rows, numeric=(2,))


def _months(report: Report) -> str:
    if not report.months:
        return _no_data()
    bars = [Bar(m.name, m.count, str(m.count)) for m in report.months]
    return _figure(charts.columns("months", "月別の相談件数", bars), "月別の相談件数（日本時間の暦月）")


def _acceptance(report: Report) -> str:
    if not report.hubs:
        return _no_data()
    timed = [h for h in report.hubs if h.median_hours is not None][:CHART_ROWS]
    html = ""
    if timed:
        bars = [Bar(h.hub_name, h.median_hours or 0.0,
                    _hours(h.median_hours) + ("" if h.enough else "・参考値"),
                    muted=not h.enough) for h in timed]
        html += _figure(charts.hbars("acceptance", "拠点別の受付までの時間（中央値）", bars),
                        "相談の登録から受付までの時間の中央値（灰色は参考値）")
    return html + _table(
        ("順位", "拠点", "都道府県", "振り分け", "受付", "受付までの時間（中央値）",
         "受付期限の超過", "辞退"),
        (_acceptance_row(h) for h in report.hubs), numeric=(3, 4, 5, 6, 7),
    )


def _acceptance_row(h: HubResponse) -> tuple[str, ...]:
    return (_rank(h.rank, h.enough, ACCEPT_REFERENCE), e(h.hub_name), e(h.prefecture), str(h.decisions),
            str(h.accepted), _hours(h.median_hours), f"{h.sla_breaches}件／{h.sla_checked}件",
            str(h.declined))


def _satisfaction_rows(rows: Sequence[Satisfaction]) -> list[tuple[str, ...]]:
    return [(_rank(s.rank, s.enough, REFERENCE), e(s.name), e(s.detail), _score(s.mean_score),
             str(s.responses), str(s.sent)) for s in rows]


def _satisfaction(report: Report) -> str:
    if not report.hub_satisfaction:
        return _no_data()
    answered = [s for s in report.hub_satisfaction if s.mean_score is not None][:CHART_ROWS]
    html = ""
    if answered:
        bars = [Bar(s.name, s.mean_score or 0.0,
                    f"{_score(s.mean_score)}点（{s.responses}件）" + ("" if s.enough else "・参考値"),
                    muted=not s.enough) for s in answered]
        html += _figure(charts.hbars("satisfaction", "拠点別の利用者満足度", bars, max_value=5.0),
                        "拠点別の利用者満足度（5点満点の平均、灰色は参考値）")
    html += "<h3>拠点別</h3>" + _table(("順位", "拠点", "都道府県", "平均点", "回答数", "送付数"),
                                     _satisfaction_rows(report.hub_satisfaction), numeric=(3, 4, 5))
    html += "<h3>担当コーディネーター別</h3>"
    if not report.coordinator_satisfaction:
        return html + _no_data()
    return html + _table(("順位", "担当者", "拠点", "平均点", "回答数", "送付数"),
                         _satisfaction_rows(report.coordinator_satisfaction), numeric=(3, 4, 5))


def _reroutes(report: Report) -> str:
    r = report.reroutes
    declined = sum(h.declined for h in report.hubs)
    if not report.hubs and not r.escalations:
        return _no_data()
    html = (f"<p>辞退：{declined}件　再振り分け：{r.reroutes}件（対象の相談{r.leads_rerouted}件）　"
            f"広域の窓口への引き継ぎ：{r.escalations}件</p>")
    if r.reroutes:
        bars = [Bar(c.name, c.count, f"{c.count}件") for c in r.by_cause]
        html += _figure(charts.hbars("reroutes", "再振り分けの理由", bars),
                        "再振り分けの理由（直前の振り分けの結果）")
    return html


def _model(report: Report) -> str:
    m = report.model
    if m is None:
        return "<p>現在使われている分類モデルの記録がありません。</p>"
    macro = "—" if m.macro_f1 is None else f"{m.macro_f1:.3f}"
    accuracy = "—" if m.accuracy is None else f"{m.accuracy:.3f}"
    html = (f"<p>バージョン {e(m.version)}（学習日時 {e(m.created_at)}）　"
            f"マクロF1：{macro}　正解率：{accuracy}"
            + (f"　評価件数：{m.examples}件" if m.examples is not None else "") + "</p>"
            '<p class="note">学習時の交差検証による数値です。</p>')
    if m.evaluation_macro_f1 is not None:
        count = f"（{m.evaluation_count}件）" if m.evaluation_count is not None else ""
        html += f"<p>学習に使っていない固定の評価データ{count}でのマクロF1：{m.evaluation_macro_f1:.3f}</p>"
    if not m.per_label:
        return html + _no_data()
    bars = [Bar(s.name, s.f1, f"{s.f1:.3f}") for s in m.per_label]
    html += _figure(charts.hbars("model_f1", "分野別のF1値", bars, max_value=1.0), "分野別のF1値")
    html += _table(("分野", "適合率", "再現率", "F1値", "件数"),
                   ((e(s.name), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
                    for s in m.per_label), numeric=(1, 2, 3, 4))
    if m.confusion:
        html += _figure(charts.heatmap("confusion", "混同行列", m.label_names, m.confusion),
                        "混同行列（行：正しい分野、列：モデルの判定）")
    return html


def _corrections(report: Report) -> str:
    if not report.corrected_categories:
        return _no_data()
    bars = [Bar(c.name, c.count, f"{c.count}件") for c in report.corrected_categories]
    html = _figure(charts.hbars("corrections", "修正の多かった分野", bars),
                   "モデルの判定が修正された件数（判定された分野別）")
    return html + _table(("モデルの判定", "修正後の分野", "件数"),
                         ((e(p.predicted_name), e(p.corrected_name), str(p.count))
                          for p in report.corrections),
                         numeric=(2,))


def _comments(report: Report) -> str:
    if report.comments is None:
        return ""
    body = _table(("回答日", "拠点", "点数", "ご意見"),
                  ((e(c.answered_on), e(c.hub_name), str(c.score), e(c.comment)) for c in report.comments),
                  numeric=(2,)) if report.comments else _no_data()
    return ('<h2 id="comments">利用者の声（内部資料）</h2>'
            '<p class="note">利用者のご意見です（電話番号・氏名などは伏せています）。'
            "公表の前に、個人が特定される記述がないかご確認ください。</p>" + body)


SECTIONS = (
    ("categories", "分野別の相談件数", _categories),
    ("places", "地域別・都道府県別の相談件数", _places),
    ("months", "月別の相談件数", _months),
    ("acceptance", "拠点別の受付までの時間と受付期限の超過", _acceptance),
    ("satisfaction", "利用者満足度", _satisfaction),
    ("reroutes", "辞退と再振り分け", _reroutes),
    ("model", "分類モデルの精度", _model),
    ("corrections", "修正の多かった分野", _corrections),
)


def render(report: Report) -> str:
    """The whole page."""
    title = "地域力連携拠点 相談窓口 利用状況レポート"
    sections = "".join(f'<section id="{key}"><h2>{e(heading)}</h2>{build(report)}</section>'
                       for key, heading, build in SECTIONS)
    return (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'  # no favicon request: the page needs nothing else
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{e(title)}</h1>{_intro(report)}{sections}{_comments(report)}"
        '<p class="note">このレポートは madoguchi（窓口）が記録した相談データから作成しました。</p>'
        "</body></html>\n"
    )
