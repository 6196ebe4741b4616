"""The hostile corpus: text an owner (or an attacker) may send, to be survived by every
entry point. Each item is (name, fragment); the tests put fragments around a real
inquiry so the case still gets stored, and send the long one alone."""

from __future__ import annotations

LONG = ("経営の相談です😀🏭👨‍👩‍👧" * 400)[:4096]  # 4,096 characters with emoji (ZWJ sequences too)

FRAGMENTS: tuple[tuple[str, str], ...] = (
    ("bidi", "\u202e発注書\u202c\u2066注意\u2069\u200f"),
    ("zero_width", "相\u200b談\u200c\u200dです\ufeff"),
    ("lone_surrogate", "壊れた\ud800文字\udfff"),
    ("nul", "ヌル\x00文字"),
    ("halfwidth_kana", "ｼﾞｷﾞｮｳｼｮｳｹｲﾉｿｳﾀﾞﾝﾃﾞｽ"),
    ("fullwidth_digits", "電話は０９０－１２３４－５６７８、売上は１２３４万円"),
    ("enclosed_kabu", "㈱松本精工の㈲時代から"),
    ("slack_channel", "<!channel> <!here> <!everyone>"),
    ("slack_user", "<@U1> <@W123|boss>"),
    ("slack_link", "<http://x|y> <https://evil.example/?a=1&b=2|ここを押して> <#C1|general>"),
    ("ampersand", "A&B商店 &amp; &lt;tag&gt; &#60;"),
    ("markdown", "*太字* _斜体_ ~取消~ `code` ```block``` [link](http://evil.example) > 引用"),
    ("html", "<script>alert(1)</script><b>太字</b>"),
    ("newlines", "一行目\r\n二行目\r三行目\u2028四行目"),
)

# The corpus's mentions and links as Slack would make them live (escaped, they are harmless).
LIVE_SLACK = ("<!channel>", "<!here>", "<!everyone>", "<@U1>", "<@W123", "<http://x|y>", "<https://evil",
              "<#C1", "<script>")
