"""User text made inert inside Streamlit's Markdown, and cut to a short excerpt.

Whatever a visitor controls (a target's name, a file's name, a CSV cell, a JSON field, a URL
value, a core message that quotes any of these) goes through `plain` before it joins our own
Markdown in st.error / st.info / st.caption / st.markdown / st.progress / widget labels.
Streamlit renders those with react-markdown: GitHub-flavoured (tables, ~strike~, literal
autolinks), plus $math$ (KaTeX), :directives[...] (colours, badges), :emoji: and
:material/icons:. Raw HTML is shown as text unless unsafe_allow_html, which we never use.
Places that do not render Markdown (selectbox options, dataframes, chart titles) still get the
short excerpt: use `excerpt` there.

The rules, checked against Streamlit's own renderer by tests/test_browser_injection.py:
- First the core's one excerpt (`ganlab.user_targets.excerpt`): line breaks, control, bidi and
  other invisible characters and lone surrogates are spelled out (\\n, \\u202e, \\ud800), so a
  message stays one line (no user text starts a block) and nothing reorders or hides text;
  longer than `limit` characters, it is cut to `limit` ending in "…". Then surrounding
  whitespace is stripped.
- A backslash goes before every character that means something in the middle of a line:
  \\ ` * _ ~ [ ] ! < > & | $ { } — CommonMark lets any ASCII punctuation be escaped, so the text
  reads the same. ( ) mean something only after "]", which is escaped. A ":" that could start a
  directive, an :emoji: or a :material/icon: (one not followed by a space) is escaped too.
- What only means something at the start of a line (# + - = > and "1." or "1)") is escaped when
  the text starts with it, since callers put it after "- " or at the start of a message.
- GFM turns https://…, www.… and a@b.c into links by itself, and :100: into an emoji, after
  escapes are resolved, so escaping cannot stop them: an invisible word joiner (U+2060) goes
  after such a ":" and an "@" and between "www" and ".", and the patterns no longer match.
"""

from __future__ import annotations

import re

from ganlab import user_targets

LIMIT = 80  # a name or a value: enough to recognise it, short enough for one line
MESSAGE = 600  # a core message that quotes user input (five bad CSV lines fit)
JOIN = "\u2060"  # WORD JOINER: zero-width, no line break; breaks GFM's autolink patterns

_ESCAPE = set("\\`*_~[]!<>&|${}")
_WWW = re.compile(r"(?<=www)(?=\.)", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])")


def excerpt(value, limit: int = LIMIT) -> str:
    """`value` as text, cut by the core's one excerpt (`user_targets.excerpt`) at the pages'
    limit: for places that show text as it is (selectbox options, tables)."""
    return user_targets.excerpt(str(value), limit)


def plain(value, limit: int = LIMIT) -> str:
    """`value` (any user-controlled text) cut to an excerpt and made inert inside Streamlit's
    Markdown: it shows as the same characters, never as a link, an image, markup or HTML."""
    text = excerpt(value, limit).strip()
    if not text:
        return text
    text = _WWW.sub(JOIN, text)
    out: list[str] = []
    for i, c in enumerate(text):
        after = text[i + 1] if i + 1 < len(text) else ""
        if c in _ESCAPE:
            out.append("\\" + c)
        elif c == ":" and after != " ":
            out.append("\\:" + JOIN)
        elif c == "@" and after not in ("", " "):
            out.append("@" + JOIN)
        else:
            out.append(c)
    if text[0] in "#+-=":  # > is escaped everywhere
        out[0] = "\\" + out[0]
    line = "".join(out)
    return _LEADING_NUMBER.sub(r"\1\\\2", line)


def problems(items, limit: int = MESSAGE) -> list[str]:
    """Each problem of a ConfigError (they quote what the user typed or loaded) made inert."""
    return [plain(p, limit) for p in items]
