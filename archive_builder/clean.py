"""Stage 2: separate the author's text from page chrome, losing nothing.

Every capture line goes to exactly one of three places:

* the body (the author's text, verbatim, lines joined with "\\n"),
* `removed`, with the name of the rule that set it aside and a reason a
  reader understands (page controls, UN document headers, image file names,
  layout whitespace, ...),
* a reader `Comment` (third-party text: never in the body).

So `reconstruct()` can always put the capture back together byte for byte.

The cleaning is an ordered table of small named rules, markdown-it-py style:
`RULES` below.  Each rule looks at the lines no earlier rule has claimed and
returns the ones it claims; it may also note what a removed line said
(`header`), an image, a footnote, or a reader comment.  Rules are keyed on
structure (position, length, punctuation, indentation); small multilingual
word lists appear only where words cannot be avoided (widget labels,
"said:", "Discussion Policy").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Sequence

from .model import Capture, Cleaned, Comment, Footnote, Image, RemovedLine

try:  # the dates module knows more languages; the local pattern below covers its absence
    from .dates import find_dates as _find_dates
except ImportError:  # pragma: no cover - depends on which modules are present
    _find_dates = None


# --- shared line tests ------------------------------------------------------

# Characters that close a sentence, in the scripts the archive meets.
_SENTENCE_END = ".!?…。！？؟:;"
# Closing quotes and brackets that may follow the sentence's last character.
_CLOSERS = "\"'”’»)]}*_ "
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_MARKDOWN_MARKUP = re.compile(r"^\s{0,3}#{1,6}\s+|\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|\s+#+\s*$")

_MONTHS = (
    # English, French, Russian (genitive and nominative), Azerbaijani, Turkish, Arabic (two calendars' names)
    r"jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|jun(?:e|\.)?|jul(?:y|\.)?"
    r"|aug(?:ust|\.)?|sep(?:t(?:ember)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?"
    r"|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    r"|январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]"
    r"|октябр[яь]|ноябр[яь]|декабр[яь]"
    r"|yanvar|fevral|mart|aprel|iyun|iyul|avqust|sentyabr|oktyabr|noyabr|dekabr"
    r"|ocak|şubat|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık"
    r"|يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر"
    r"|كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني|كانون الأول"
)
_TIME = r"(?:\s*(?:,|at|в|saat|-|–|\|)?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?)?"
_DATE_LINE = re.compile(
    rf"""^[\s(\[]*
    (?:[^\W\d_]+[,:]?\s+)?                                # weekday, place or label: "Friday," / "Baku," / "Published:"
    (?:
        \d{{1,2}}(?:st|nd|rd|th|-?го|-?e)?\.?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}   # 20 January 2023
      | (?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}            # January 20, 2023
      | \d{{4}}[-./]\d{{1,2}}[-./]\d{{1,2}}                                # 2023-01-20
      | \d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}                              # 20.01.2023
    )
    (?:\s*(?:-?c[iıuü]\s+il|г\.?|года|il|y\.|ж\.|م))?
    {_TIME}
    [\s)\].]*$""",
    re.IGNORECASE | re.VERBOSE,
)
_DATE_LEFTOVER = re.compile(rf"^[\s(\[]*(?:[^\W\d_]+[,:])?{_TIME}[\s)\].,]*(?:г\.?|года|il|y\.)?[\s)\].]*$", re.IGNORECASE)
_LOWERCASE_START = re.compile(r"^\s*[\"'“‘«(]?[^\W\d_]")


# White space, and the invisible marks (zero-width, bidirectional) that RTL pages scatter on empty lines
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
_BLANK = re.compile(rf"^[\s{_INVISIBLE}]*$")


def is_blank(text: str) -> bool:
    return bool(_BLANK.match(text))


def ends_sentence(text: str) -> bool:
    """True when the line ends like a sentence (after closing quotes/brackets)."""
    core = text.rstrip().rstrip(_CLOSERS)
    return bool(core) and core[-1] in _SENTENCE_END


def strip_markdown(text: str) -> str:
    """A heading or emphasised line as plain text: '## **Letter** dated' -> 'Letter dated'."""
    return " ".join(_MARKDOWN_MARKUP.sub("", text).split())


def is_date_line(text: str) -> bool:
    """A line that is nothing but a date (and perhaps a time): a dateline."""
    stripped = text.strip()
    if not stripped or len(stripped) > 60 or ends_sentence(stripped.rstrip(".")):
        return False
    if _DATE_LINE.match(stripped):
        return True
    if _find_dates is None or len(stripped.split()) > 6 or not any(c.isdigit() for c in stripped):
        return False
    try:
        mentions = [m for m in _find_dates(stripped) if m.kind == "stated"]
    except Exception:  # a bug in date parsing must not stop the cleaning of a capture
        return False
    # the date must be the whole line: "Statement on 20 January 2023" is a title, not a dateline
    return len(mentions) == 1 and bool(_DATE_LEFTOVER.match(stripped[:mentions[0].start] + " " + stripped[mentions[0].end:]))


def _starts_lowercase(text: str) -> bool:
    m = _LOWERCASE_START.match(text)
    return bool(m) and m.group(0)[-1].islower()


# --- the rule machinery -----------------------------------------------------


class _State:
    """What the rules have decided so far for one capture (local to clean())."""

    def __init__(self, capture: Capture):
        self.capture = capture
        self.lines = capture.lines
        self.owner: list[str | None] = [None] * len(capture.lines)   # None: still body
        self.blank = [is_blank(t) for t in capture.lines]
        self.removed: list[RemovedLine] = []
        self.comments: list[Comment] = []
        self.images: list[Image] = []
        self.footnotes: list[Footnote] = []
        self.header: list[tuple[int, str, str]] = []                 # (line, key, value)
        # candidates() per max_length, until a line is claimed (the rules ask
        # for them a dozen times, and most lines of a capture stay body)
        self._candidates: dict[int | None, list[tuple[int, str]]] = {}

    def free(self, i: int) -> bool:
        return 0 <= i < len(self.lines) and self.owner[i] is None

    def content(self, i: int) -> bool:
        """An unclaimed line with text on it."""
        return 0 <= i < len(self.lines) and self.owner[i] is None and not self.blank[i]

    def candidates(self, max_length: int | None = None) -> list[tuple[int, str]]:
        """(index, text) of the unclaimed non-blank lines (no longer than max_length).
        Rules scan these rather than every line: most lines of a long capture are text."""
        found = self._candidates.get(max_length)
        if found is None:
            every = self._candidates.get(None)
            if every is None:
                every = self._candidates[None] = [(i, t) for i, (t, o, b) in enumerate(zip(self.lines, self.owner, self.blank))
                                                  if o is None and not b]
            found = self._candidates[max_length] = (every if max_length is None
                                                    else [(i, t) for i, t in every if len(t) <= max_length])
        return found

    def next_content(self, i: int) -> int | None:
        """Index of the first unclaimed non-blank line at or after i."""
        for j in range(i, len(self.lines)):
            if self.content(j):
                return j
        return None

    def prev_content(self, i: int) -> int | None:
        for j in range(i, -1, -1):
            if self.content(j):
                return j
        return None

    def remove(self, i: int, rule: str, reason: str) -> None:
        if self.owner[i] is not None:
            raise AssertionError(f"line {i + 1} claimed twice ({self.owner[i]}, {rule})")
        self.owner[i] = rule
        self._candidates.clear()
        self.removed.append(RemovedLine(i + 1, self.lines[i], rule, reason))

    def add_comment(self, first: int, last: int, author: str | None, text: str) -> None:
        for i in range(first, last + 1):
            if self.owner[i] is not None:
                raise AssertionError(f"line {i + 1} claimed twice ({self.owner[i]}, comment)")
            self.owner[i] = "reader-comment"
        self._candidates.clear()
        self.comments.append(Comment(author, text, first + 1, tuple(self.lines[first:last + 1])))

    def note(self, i: int, key: str, value: str) -> None:
        self.header.append((i + 1, key, value))

    def rule_lines(self, *rules: str) -> list[int]:
        return [i for i, o in enumerate(self.owner) if o in rules]


@dataclass(frozen=True)
class Rule:
    name: str
    reason: str
    find: Callable[[_State], Iterable[int]]   # returns the 0-based lines it claims


# --- front matter -----------------------------------------------------------


def _front_matter(state: _State) -> Iterable[int]:
    return range(min(state.capture.front_matter_end, len(state.lines)))


# --- comment policy and reader comments --------------------------------------

_POLICY_HEADING = re.compile(
    r"^[\s#*_]*(?:discussion|comments?|commenting|community)\s+(?:policy|guidelines|rules)"
    r"|^[\s#*_]*(?:правила\s+комментирования|политика\s+комментариев|şərh\s+qaydaları|yorum\s+kuralları"
    r"|سياسة\s+التعليقات|قواعد\s+التعليق)[\s*_:.]*$",
    re.IGNORECASE,
)
_POLICY_SITE = re.compile(r"((?:[A-Z][\w.&'-]*\s+){0,3}[A-Z][\w.&'-]*)\s+reserves\s+the\s+right")


def _comment_policy(state: _State) -> Iterable[int]:
    """'Discussion Policy' and the policy paragraph under it."""
    for i, text in state.candidates(60):
        if not _POLICY_HEADING.match(text):
            continue
        yield i
        j = state.next_content(i + 1)
        if j is not None and ends_sentence(state.lines[j]):
            yield j
            site = _POLICY_SITE.search(state.lines[j])
            if site:
                state.note(j, "comment_policy_site", site.group(1))


_COMMENTS_HEADING = re.compile(
    r"^[\s#*_]*(?:\d+\s+)?(?:comments?|responses?|replies|reader\s+comments"
    r"|leave\s+a\s+(?:reply|comment)|one\s+(?:response|comment)|\d+\s+(?:responses?|comments?)\s+to\b.*"
    r"|комментари[ийя]|оставить\s+комментарий|şərhlər|şərh\s+yaz|yorumlar|التعليقات|تعليقات|اترك\s+تعليقا)"
    r"[\s*_:.]*(?:\(\d+\))?[\s*_:.]*$",
    re.IGNORECASE,
)


def _comments_heading(state: _State) -> Iterable[int]:
    return [i for i, t in state.candidates(120) if _COMMENTS_HEADING.match(t)]


_SAID = (r"said|says|wrote|writes|commented|replied|responded|"
         r"пишет|написал[аи]?|сказал[аи]?|ответил[аи]?|комментирует|"
         r"yazdı|yazır|dedi|deyir|"
         r"قال|كتب|علق|علّق|ردّ|رد")
_COMMENT_HEADER = re.compile(
    rf"^(?P<indent>[ \t]*)(?:(?P<number>\d{{1,4}})[.)]\s+)?"
    rf"(?P<name>[^\s:!?\"“][^:!?\"“]{{0,60}}?)\s+(?:on\s+[^:]{{4,40}}?\s+)?(?:{_SAID})\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# "Name • 3 years ago": a comment system's byline; a comment only inside a comment section
_COMMENT_BYLINE = re.compile(
    r"^(?P<indent>[ \t]*)(?:(?P<number>\d{1,4})[.)]\s+)?(?P<name>[^\s•·|][^•·|:!?]{0,60}?)\s*[•·|]\s*"
    r"(?P<rest>\d+\s+\w+\s+(?:ago|назад|əvvəl|önce)|(?:منذ|قبل)\s+\S+(?:\s+\S+)?|[^•·|]{4,40})\s*$",
    re.IGNORECASE)
_RELATIVE_TIME = re.compile(r"\d+\s+\w+\s+(?:ago|назад|əvvəl|önce)$|^(?:منذ|قبل)\s", re.IGNORECASE)
_REPLY = re.compile(r"^\s*(?:reply|reply ↓|ответить|cavab\s+ver|cavabla|yanıtla|رد|الرد|répondre)\s*$", re.IGNORECASE)


_COMMENT_HEADER_MAX = 160     # a name, a verb and a date; anything longer is text


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _comment_header(text: str) -> re.Match | None:
    """'Ararat said:' / '1. Ararat said:' / 'Ararat says: January 20, 2021' / 'Ararat • 2 years ago'."""
    if len(text) > _COMMENT_HEADER_MAX:
        return None
    m = ((":" in text and _COMMENT_HEADER.match(text))
         or (("•" in text or "·" in text or "|" in text) and _COMMENT_BYLINE.match(text)))
    if not m or len(m.group("name").split()) > 6:
        return None
    rest = m.group("rest").strip()
    if rest and not (is_date_line(rest) or _RELATIVE_TIME.search(rest)):   # "X said: a sentence" is body text
        return None
    return m


def _comment_end(state: _State, header: int, content_indent: int) -> int:
    """Last line of the comment that starts at `header`."""
    last = header
    for j in range(header + 1, len(state.lines)):
        text = state.lines[j]
        if not state.free(j) or _comment_header(text):
            break
        if not state.blank[j]:
            if content_indent and _indent(text) < content_indent:
                break
            last = j
    return last


def _comment_text(lines: Sequence[str]) -> str:
    """The comment's paragraphs without name, date, 'Reply' and page controls."""
    paragraphs: list[list[str]] = [[]]
    for k, text in enumerate(lines):
        stripped = text.strip()
        if k == 0 or _REPLY.match(text) or _chrome_kind(text) or (not stripped and not paragraphs[-1]):
            continue
        if k <= 2 and is_date_line(text) and not any(paragraphs):
            continue        # the date under the commenter's name
        if not stripped:
            paragraphs.append([])
        else:
            paragraphs[-1].append(stripped)
    return "\n\n".join("\n".join(p) for p in paragraphs if p)


def _reader_comments(state: _State) -> Iterable[int]:
    """'  1. Ararat said:' / 'Name says:' and everything under it, up to the next
    comment, a dedent, or the end. A 'said:' line counts as a comment only with
    a sign that it is one (numbering, a date under it, indented text under it,
    a comments heading or policy above it, or an earlier comment), so that
    'The minister said:' in a statement stays in the body."""
    section_start = min(state.rule_lines("comment-policy", "comments-heading"), default=len(state.lines))
    in_section = False
    i = 0
    while i < len(state.lines):
        m = _comment_header(state.lines[i]) if state.content(i) else None
        if not m:
            i += 1
            continue
        nxt = state.next_content(i + 1)
        header_indent = len(m.group("indent"))
        indented = nxt is not None and _indent(state.lines[nxt]) > header_indent
        dated = bool(m.group("rest").strip()) or (nxt is not None and is_date_line(state.lines[nxt]))
        if m.re is _COMMENT_BYLINE:
            dated = indented = False        # a byline alone could be a news dateline ("Politics • 2 hours ago")
        # numbering alone is a weak sign: "3. The representative of Armenia said:" is a numbered paragraph
        numbered = bool(m.group("number")) and len(m.group("name").split()) <= 3 and "(" not in m.group("name")
        if not (numbered or dated or indented or in_section or i > section_start):
            i += 1
            continue
        in_section = True
        content_indent = _indent(state.lines[nxt]) if indented and nxt is not None else 0
        last = _comment_end(state, i, content_indent)
        lines = state.lines[i:last + 1]
        state.add_comment(i, last, m.group("name").strip(), _comment_text(lines))
        i = last + 1
    return ()


# --- page controls of the website ----------------------------------------------

# (rule, anchor tokens, filler tokens).  A line is a page control when it is made
# of nothing but such tokens and separators, with at least one anchor: so "+ − 16 px"
# is a font-size widget, while a lone "-" (a separator) stays.
_CHROME_TOKENS: tuple[tuple[str, str, str], ...] = (
    ("font-size-widget",
     r"\d{1,3}\s?(?:px|pt)|[↺⟲↻⤾⟳]|a\s?[+\-−]|[+\-−]\s?a|font\s+size|text\s+size|размер\s+шрифта|шрифт"
     r"|şrift(?:in)?\s+ölçüsü|mətn\s+ölçüsü|yazı\s+boyutu|حجم\s+الخط|taille\s+du\s+texte|schriftgröße",
     r"[+\-−–]|a|aa|reset|сброс"),
    ("search-widget",
     r"search\s+(?:in\s+)?(?:the\s+)?(?:archive|site|this\s+site|news)|search|поиск\s+по\s+(?:архиву|сайту)|поиск"
     r"|найти|arxivdə\s+axtar|axtarış|axtar|arama|ara|بحث\s+في\s+الأرشيف|البحث|بحث|rechercher|recherche|suche|buscar",
     r"go|ok|🔍|⌕"),
    ("share-links",
     r"share\s+(?:this|on)(?:\s+(?:article|page|story|facebook|twitter|x|telegram|whatsapp|linkedin|vk))?|share"
     r"|facebook|twitter|telegram|whatsapp|linkedin|vkontakte|vk|odnoklassniki|ok\.ru|x\.com|tweet|e-?mail"
     r"|print(?:\s+this\s+(?:page|article))?|print\s+version|версия\s+для\s+печати|печать|распечатать|поделиться"
     r"|paylaş|çap\s+et|çap|مشاركة|طباعة|copy\s+link|скопировать\s+ссылку"
     r"|(?:go\s+)?back(?:\s+to\s+(?:top|list|news|the\s+list))?|назад|вернуться|geri|qayıt|رجوع|عودة|retour"
     r"|follow\s+us|subscribe(?:\s+to\s+(?:our|us\s+on)\s+\w+(?:\s+channel)?)?"
     r"|подписывайтесь(?:\s+на\s+(?:наш|нас\s+в)\s+\w+(?:[\s-]+канал)?)?|abunə\s+ol",
     r"[←→↑⬅«»<>]|on|in|via"),
    ("site-navigation",
     r"about(?:\s+us)?|contacts?(?:\s+us)?|advertising|privacy(?:\s+policy)?|terms\s+of\s+(?:use|service)|rss|sitemap"
     r"|home|main\s+page|newsletter|о\s+нас|контакты|реклама|политика\s+конфиденциальности|главная|карта\s+сайта"
     r"|haqqımızda|əlaqə|reklam|ana\s+səhifə|من\s+نحن|اتصل\s+بنا|سياسة\s+الخصوصية|الرئيسية",
     r"[←→↑⬅«»<>]|and|&"),
)
_CHROME_SCAN = re.compile(
    "|".join(
        f"(?P<a{n}>(?<!\\w)(?:{anchor})(?!\\w))|(?P<f{n}>(?<!\\w)(?:{filler})(?!\\w)|[+\\-−–←→↑⬅«»<>↺⟲↻⤾⟳🔍⌕])"
        for n, (_, anchor, filler) in enumerate(_CHROME_TOKENS)
    ),
    re.IGNORECASE,
)
_CHROME_SEPARATORS = re.compile(rf"^[\s{_INVISIBLE}|•·/,:;.…\-–—_*#()\[\]]*$")


_CHROME_LINE_MAX = 160


# The separators a line may begin with (as _CHROME_SEPARATORS, unanchored)
_LEADING_SEPARATORS = re.compile(_CHROME_SEPARATORS.pattern.removeprefix("^").removesuffix("$"))


@lru_cache(maxsize=8192)
def _chrome_kind(text: str) -> str | None:
    """The page-control rule a whole line belongs to, if it is nothing but controls."""
    if len(text) > _CHROME_LINE_MAX or is_blank(text):
        return None
    # The line's first control starts within the separators it begins with, or
    # the line is not controls: a line of text fails here on its first word,
    # where the scan below would search the whole line for a control first.
    lead = _LEADING_SEPARATORS.match(text).end()    # type: ignore[union-attr]
    if not any(_CHROME_SCAN.match(text, i) for i in range(lead + 1)):
        return None
    return _chrome_tokens_kind(text)


def _chrome_tokens_kind(text: str) -> str | None:
    """_chrome_kind without its first test: the line scanned for controls."""
    anchors: list[int] = []
    last = 0
    for m in _CHROME_SCAN.finditer(text):
        if not _CHROME_SEPARATORS.match(text[last:m.start()]):
            return None
        last = m.end()
        anchors.extend(int(k[1:]) for k, v in m.groupdict().items() if v is not None and k[0] == "a")
    if not anchors or not _CHROME_SEPARATORS.match(text[last:]):
        return None
    return _CHROME_TOKENS[min(anchors)][0]


def _page_control(rule: str) -> Callable[[_State], Iterable[int]]:
    def find(state: _State) -> Iterable[int]:
        return [i for i, t in state.candidates(_CHROME_LINE_MAX) if _chrome_kind(t) == rule]
    return find


_COOKIE = re.compile(r"(?<!\w)(?:cookies?|куки|cookie-файл\w*|файлы\s+cookie|çərəz\w*|çerez\w*|ملفات\s+تعريف\s+الارتباط)(?!\w)",
                     re.IGNORECASE)
_COOKIE_WORDS = re.compile("cookie|куки|çərəz|çerez|ملفات")   # a cheap first look before the full pattern
_COOKIE_BUTTON = re.compile(r"^\s*(?:accept(?:\s+all)?(?:\s+cookies)?|i\s+agree|agree|ok|got\s+it|decline|reject(?:\s+all)?"
                            r"|settings|принять|согласен|понятно|qəbul\s+et|kabul\s+et|موافق|قبول)\s*$", re.IGNORECASE)


def _cookie_notice(state: _State) -> Iterable[int]:
    """'This website uses cookies …' and the buttons right under it."""
    for i, text in state.candidates(400):
        if _COOKIE_WORDS.search(text.lower()) and _COOKIE.search(text):
            yield i
            j = i + 1
            while j < len(state.lines) and state.content(j) and _COOKIE_BUTTON.match(state.lines[j]):
                yield j
                j += 1


_RELATED = re.compile(
    r"^[\s*_#>]*(?:read\s+(?:also|more)|related(?:\s+(?:news|articles|stories))?|more\s+on\s+this\s+topic"
    r"|читайте\s+также|смотрите\s+также|по\s+теме|həmçinin\s+oxuyun|oxu|ayrıca\s+okuyun|اقرأ\s+أيضا|اقرأ\s+أيضاً)"
    r"[\s*_]*(?::|$)", re.IGNORECASE)
_TAGS = re.compile(r"^[\s*_]*(?:tags?|keywords|теги|метки|ключевые\s+слова|teqlər|etiketler|الوسوم|كلمات\s+مفتاحية)"
                   r"[\s*_]*:", re.IGNORECASE)
_COUNTER = re.compile(r"^[\s*_]*(?:views?|просмотр(?:ов|ы)?|baxış(?:\s+sayı)?|görüntülenme|المشاهدات|مشاهدات)"
                      r"[\s*_]*:?\s*[\d\s,.]+$|^[\s*_]*[\d\s,.]+\s+(?:views|просмотр(?:ов|а)?|baxış)\s*$", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^\s*(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4}))|^.{0,150}?(?:all\s+rights\s+reserved"
                        r"|все\s+права\s+защищены|bütün\s+hüquqlar\s+qorunur|جميع\s+الحقوق\s+محفوظة)", re.IGNORECASE)


_BREADCRUMB = re.compile(
    r"^[\s*_]*(?:home|main(?:\s+page)?|главная|ana\s+səhifə|anasayfa|الرئيسية|accueil|startseite)"
    r"(?:\s*[/›»>|→]\s*[^/›»>|→]{1,80}){1,6}\s*$", re.IGNORECASE)


def _line_rule(pattern: re.Pattern, max_length: int) -> Callable[[_State], Iterable[int]]:
    """A rule that claims every unclaimed line `pattern` matches at its start (short lines only)."""
    def find(state: _State) -> Iterable[int]:
        return [i for i, t in state.candidates(max_length) if pattern.match(t)]
    return find


# --- UN document header ---------------------------------------------------------

_UN_ORGANISATION = re.compile(r"^[\s*_#]*(United Nations|Nations Unies|Naciones Unidas|Организация Объединенных Наций"
                              r"|الأمم المتحدة|联合国)[\s*_]*(?P<symbol>(?<=\s)[A-Z]{1,8}/\S+(?:\s*[–—-]\s*[A-Z]{1,8}/\S+)*)?\s*$")
_UN_DISTRIBUTION = re.compile(r"^[\s*_]*Distr\.\s*:?\s*(?P<v>.*?)[\s*_]*$")
_UN_DISTRIBUTION_KIND = re.compile(r"^\s*(?:general|limited|restricted|générale|limitée|общая|ограниченная)\s*$", re.IGNORECASE)
_UN_ORIGINAL = re.compile(r"^[\s*_]*(?:Original|Язык оригинала|Original\s*/\s*Langue)\s*:\s*(?P<v>.+?)[\s*_]*$", re.IGNORECASE)
_UN_SYMBOL_PART = r"[A-Z]{1,8}(?:/[A-Z0-9][A-Za-z0-9.\-]*)+"
_UN_SYMBOL = re.compile(rf"^[\s*_]*(?P<v>{_UN_SYMBOL_PART}(?:\s*[–—-]?\s*{_UN_SYMBOL_PART})*)[\s*_]*$")
_UN_BODY = re.compile(r"General Assembly|Security Council|Economic and Social Council|Human Rights Council"
                      r"|Assemblée générale|Conseil de sécurité|Генеральная Ассамблея|Совет Безопасности")
_UN_SESSION = re.compile(r"^[\s*_]*[\w-]+\s+(?:session|year|сессия|год)[\s*_]*$", re.IGNORECASE)
_UN_AGENDA = re.compile(
    r"(?:Agenda\s+items?|Items?\s+of\s+the\s+provisional\s+agenda|Пункты?\s+повестки\s+дня)\s+"
    r"(?P<v>\d+(?:\s*\([a-z]\))?(?:\s*(?:,\s*(?:and\s+|и\s+)?|and\s+|и\s+)\d+(?:\s*\([a-z]\))?)*)",
    re.IGNORECASE)
_UN_DOCUMENT_HEADING = re.compile(
    r"^\s{0,3}#{1,6}\s+\S"
    r"|^[\s*_]*(?:Letter dated|Identical letters dated|Note verbale|Lettre datée|Lettres identiques"
    r"|Письмо\s+[^\s]+\s+от|Идентичные письма|Вербальная нота|رسالة مؤرخة|رسالتان متطابقتان|مذكرة شفوية)",
    re.IGNORECASE)
_UN_MAX_TITLES = 15
_UN_HEADER_LINE_MAX = 500     # header lines are short; a long line is text (and not worth scanning)


def _un_bodies(text: str) -> list[str]:
    """'General Assembly Seventy-fifth session Agenda items … Security Council Seventy-sixth year'
    -> ['General Assembly Seventy-fifth session', 'Security Council Seventy-sixth year']."""
    plain = _UN_AGENDA.sub("|", strip_markdown(text))
    starts = [m.start() for m in _UN_BODY.finditer(plain)]
    parts = [plain[a:b] for a, b in zip(starts, starts[1:] + [len(plain)])]
    return [" ".join(p.split("|")[0].split()) for p in parts]


def _un_header(state: _State) -> Iterable[int]:
    """The header of a UN document, from 'United Nations' down to the document's
    own heading ('Letter dated …'): every line kept as a header value."""
    claimed: list[int] = []
    bodies: list[str] = []
    bodies_line = 0
    i = state.next_content(0)
    if i is None or not any(p.match(state.lines[i]) for p in (_UN_ORGANISATION, _UN_DISTRIBUTION, _UN_SYMBOL)):
        return ()
    seen_bodies = False
    while i is not None and len(state.lines[i]) <= _UN_HEADER_LINE_MAX:
        text = state.lines[i]
        plain = strip_markdown(text)
        if _UN_ORGANISATION.match(text):
            org = _UN_ORGANISATION.match(text)
            state.note(i, "un_organisation", org.group(1))
            if org.group("symbol"):                     # "United Nations A/75/715–S/2021/134"
                state.note(i, "un_symbol", org.group("symbol"))
        elif m := _UN_DISTRIBUTION.match(text):
            # the value may run on: "Distr.: General" / "9 February 2021", or "Distr." / "GENERAL" / "9 February 2021"
            parts = [m.group("v")] if m.group("v") else []
            j = state.next_content(i + 1)
            while (j is not None and len(parts) < 2 and not (parts and is_date_line(parts[-1]))
                   and (_UN_DISTRIBUTION_KIND.match(state.lines[j]) or is_date_line(state.lines[j]))):
                claimed.append(i)
                i = j
                parts.append(state.lines[j].strip())
                j = state.next_content(j + 1)
            state.note(i, "un_distribution", " ".join(parts))
        elif m := _UN_ORIGINAL.match(text):
            state.note(i, "un_original_language", m.group("v"))
        elif m := _UN_SYMBOL.match(text):
            state.note(i, "un_symbol", m.group("v"))
        elif _UN_BODY.search(plain) or _UN_AGENDA.search(plain):
            bodies_line = i if not bodies else bodies_line
            bodies.extend(_un_bodies(text))
            if m := _UN_AGENDA.search(plain):
                state.note(i, "un_agenda_items", " ".join(m.group("v").split()))
            seen_bodies = True
        elif _UN_SESSION.match(text) and bodies:
            bodies[-1] = f"{bodies[-1]} {plain}"
        else:
            break
        claimed.append(i)
        i = state.next_content(i + 1)
    if bodies:
        state.note(bodies_line, "un_bodies", "; ".join(bodies))
    if seen_bodies and i is not None:
        titles: list[int] = []
        j: int | None = i
        while j is not None and len(titles) <= _UN_MAX_TITLES and not _UN_DOCUMENT_HEADING.match(state.lines[j]):
            titles.append(j)
            j = state.next_content(j + 1)
        if j is not None and len(titles) <= _UN_MAX_TITLES and all(len(state.lines[t]) <= 300 for t in titles):
            for t in titles:
                state.note(t, "un_agenda_titles", strip_markdown(state.lines[t]))
            claimed.extend(titles)
    return claimed      # the blank lines between them are left to the whitespace rule


_UN_FURNITURE = re.compile(
    r"^\s*(?:\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})?(?:\s+\*\d{7,}\*)?"   # job number: 21-01789 (E) 100221
    r"|\*\d{7,}\*"                                                         # barcode: *2101789*
    r"|Please recycle\s*♲?)\s*$")
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}/\d{1,3}\s*$")                     # 2/3


def _un_page_furniture(state: _State) -> Iterable[int]:
    """Job numbers, barcodes, and (under a UN header) page numbers and running symbol lines."""
    un = any(k in ("un_organisation", "un_symbol", "un_distribution") for _, k, _ in state.header)
    return [i for i, t in state.candidates(200)
            if _UN_FURNITURE.match(t) or (un and (_PAGE_NUMBER.match(t) or _UN_SYMBOL.match(t)))]


# --- footnotes -------------------------------------------------------------------

_FOOTNOTE = re.compile(
    r"^\s*(?:<sup>[^<]{0,3}</sup>\s*)?"          # mangled: "<sup>&</sup>lt;sup>1</sup>" (an escaped "&lt;")
    r"(?:(?:<|&lt;|lt;)sup>\s*(?P<label>[\w*†‡§]{1,4})\s*(?:<|&lt;|lt;)/sup>"
    r"|\[\^(?P<md>[\w*]{1,10})\]:)"
    r"\s*(?P<text>\S.*?)\s*$")


def _footnote_definitions(state: _State) -> Iterable[int]:
    for i, text in state.candidates():
        if m := _FOOTNOTE.match(text):
            state.footnotes.append(Footnote(m.group("label") or m.group("md"), m.group("text"), i + 1))
            yield i


# --- images ------------------------------------------------------------------------

_IMAGE_EXTENSION = re.compile(r"\.(?:jpe?g|png|gif|webp|tiff?|bmp|svg|heic|avif)$", re.IGNORECASE)
_FILE_NAME = re.compile(r"^(?=\S*[-_])(?=.*\d)(?=.*[^\W\d_])[\w\-.()]+(?:[ ][\w\-.()]+){0,2}$")
_PHOTO_CAPTION = re.compile(r"^\s*(?:photo|фото|foto|şəkil|صورة|الصورة|image|picture)\s*(?:credit)?\s*:\s*\S", re.IGNORECASE)


def _is_file_name(text: str) -> bool:
    if len(text) > 130:
        return False
    stripped = text.strip()
    if len(stripped) > 120 or ends_sentence(stripped):
        return False
    if _IMAGE_EXTENSION.search(stripped):
        return len(stripped.split()) <= 3
    return bool(_FILE_NAME.match(stripped))


def _image_files(state: _State) -> Iterable[int]:
    """An image's file name ('IMG_1234.jpg', 'Baku-1990-13 (1)a') directly above its caption."""
    for i, text in state.candidates(130):
        if not _is_file_name(text):
            continue
        below = state.lines[i + 1] if state.content(i + 1) else None
        if below is not None and not _is_file_name(below) and len(below) <= 400:
            state.images.append(Image(text.strip(), below.strip(), i + 1))
            yield i
        elif _IMAGE_EXTENSION.search(text.strip()):
            state.images.append(Image(text.strip(), None, i + 1))
            yield i


def _image_captions(state: _State) -> Iterable[int]:
    """The caption under an image file name, or a line that says 'Photo: …'."""
    for image in list(state.images):
        if image.caption is not None and state.content(image.line):
            yield image.line            # image.line is the file name's line (1-based): the caption is next
    for i, text in state.candidates(300):
        if _PHOTO_CAPTION.match(text):
            state.images.append(Image(None, text.strip(), i + 1))
            yield i


def _duplicate_captions(state: _State) -> Iterable[int]:
    captions = {im.caption for im in state.images if im.caption}
    return [i for i, t in state.candidates(400) if t.strip() in captions] if captions else []


# --- title, dateline, outlet -----------------------------------------------------------

_TITLE_MAX = 250
_HEADING_MAX = 500
_SHORT_TITLE_MAX = 100


def _looks_like_title(state: _State, i: int) -> bool:
    text = state.lines[i].strip()
    if len(text) > _HEADING_MAX:
        return False
    if _MARKDOWN_HEADING.match(state.lines[i]):
        return True
    nxt = state.next_content(i + 1)
    if nxt is not None and _starts_lowercase(state.lines[nxt]):
        return False            # the line continues into the next: a paragraph, not a title
    if len(text) <= _TITLE_MAX and not ends_sentence(text):
        return not is_date_line(text)
    followed_by_blank = i + 1 < len(state.lines) and state.blank[i + 1]
    return followed_by_blank and len(text) <= _SHORT_TITLE_MAX and text.rstrip(_CLOSERS)[-1:] in "?!？！؟"


_LABEL_MAX_WORDS = 3
_LABEL_MAX = 30


def _section_label(state: _State) -> Iterable[int]:
    """A news site's section above the title ('Politics', 'Press release'): a
    first line of a few words, followed by a dateline or by a title."""
    i = state.next_content(0)
    if i is None:
        return ()
    text = state.lines[i].strip()
    if (len(text) > _LABEL_MAX or len(text.split()) > _LABEL_MAX_WORDS or ends_sentence(text)
            or _MARKDOWN_HEADING.match(text) or any(c.isdigit() for c in text)):
        return ()
    nxt = state.next_content(i + 1)
    if nxt is None:
        return ()
    below = state.lines[nxt]
    title_below = bool(_MARKDOWN_HEADING.match(below)) or (
        _looks_like_title(state, nxt) and len(below.split()) > _LABEL_MAX_WORDS)
    if not (title_below or is_date_line(below)):
        return ()
    state.note(i, "section", strip_markdown(text))
    return (i,)


def _title(state: _State) -> Iterable[int]:
    """The first line of the text when it is a title, not the first sentence
    (a dateline above the title is passed over: the dateline rule takes it)."""
    i = state.next_content(0)
    if i is not None and is_date_line(state.lines[i]):
        i = state.next_content(i + 1)
    if i is None or not _looks_like_title(state, i) or state.next_content(i + 1) is None:
        return ()
    state.note(i, "title", strip_markdown(state.lines[i]))
    return (i,)


def _dateline(state: _State) -> Iterable[int]:
    """A line that is only a date, first in the text or right under the title."""
    titles = state.rule_lines("title")
    candidates = [state.next_content(0)] + ([state.next_content(titles[0] + 1)] if titles else [])
    for i in candidates:
        if i is not None and is_date_line(state.lines[i]) and state.next_content(i + 1) is not None:
            state.note(i, "dateline", state.lines[i].strip())
            return (i,)
    return ()


_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?$")
_OUTLET_WORDS = re.compile(
    r"(?<!\w)(?:news|agency|press|times|post|media|tv|radio|today|daily|herald|gazette|journal|tribune"
    r"|информ|новости|агентство|газета|xəbər|xəbərləri|agentliyi|haber|ajans|أخبار|وكالة|صحيفة)(?!\w)",
    re.IGNORECASE)


_END_MARKS = frozenset({"END", "ENDS", "FIN", "КОНЕЦ", "SON", "###", "-END-", "-30-"})


def _is_outlet_name(text: str) -> bool:
    if len(text) > 80:
        return False
    stripped = text.strip()
    words = stripped.split()
    if not words or len(stripped) > 50 or len(words) > 4 or ends_sentence(stripped):
        return False
    if _DOMAIN.match(stripped):
        return True
    capitalised = all(w[0].isupper() or w[0].isdigit() for w in words)
    if len(words) == 1:
        return capitalised and stripped not in _END_MARKS and (stripped.isupper() or bool(_OUTLET_WORDS.search(stripped)))
    return capitalised and bool(_OUTLET_WORDS.search(stripped))


def _outlet_signature(state: _State) -> Iterable[int]:
    """A short last line naming the outlet ('News.Az'), after the last paragraph."""
    i = state.prev_content(len(state.lines) - 1)
    if i is None or not _is_outlet_name(state.lines[i]):
        return ()
    before = state.prev_content(i - 1)
    if before is None or not ends_sentence(state.lines[before]):
        return ()
    state.note(i, "outlet", state.lines[i].strip())
    return (i,)


# --- whitespace ----------------------------------------------------------------------

_CONTINUES = re.compile(r"[\w,;\-–—]")      # the last character of a line that runs on


def _blank_runs(state: _State) -> list[tuple[int | None, list[int], int | None]]:
    """Runs of unclaimed blank lines with the unclaimed text lines around them."""
    runs: list[tuple[int | None, list[int], int | None]] = []
    before: int | None = None
    run: list[int] = []
    for i, text in enumerate(state.lines):
        if not state.free(i):
            continue
        if state.blank[i]:
            run.append(i)
            continue
        if run:
            runs.append((before, run, i))
            run = []
        before = i
    if run:
        runs.append((before, run, None))
    return runs


def _page_breaks(state: _State) -> Iterable[int]:
    """Blank lines that split a paragraph in two where the page ended:
    'shot in their apartments,' … 'building entryways …'."""
    for before, run, after in _blank_runs(state):
        if before is None or after is None:
            continue
        above, below = state.lines[before].rstrip(), state.lines[after]
        if _CONTINUES.match(above[-1:]) and not _MARKDOWN_HEADING.match(above) and _starts_lowercase(below):
            yield from run


def _layout_whitespace(state: _State) -> Iterable[int]:
    """Blank lines before and after the text, and all but one in a row."""
    for before, run, after in _blank_runs(state):
        yield from (run if before is None or after is None else run[1:])


# --- the table ---------------------------------------------------------------------------

_PAGE_CONTROL = "page control of the website, not part of the text"
_UN_HEADER = "UN document header: kept as metadata"
_IMAGE = "kept as image metadata, not part of the text"

RULES: tuple[Rule, ...] = (
    Rule("front-matter", "Markdown front matter: read as metadata", _front_matter),
    Rule("comment-policy", "the website's comment policy, not part of the text", _comment_policy),
    Rule("comments-heading", "heading of the website's reader comments, not part of the text", _comments_heading),
    Rule("reader-comment", "a reader comment: third-party text, kept apart", _reader_comments),
    Rule("font-size-widget", _PAGE_CONTROL, _page_control("font-size-widget")),
    Rule("search-widget", _PAGE_CONTROL, _page_control("search-widget")),
    Rule("share-links", _PAGE_CONTROL, _page_control("share-links")),
    Rule("site-navigation", "the website's navigation links, not part of the text", _page_control("site-navigation")),
    Rule("cookie-notice", "cookie notice of the website, not part of the text", _cookie_notice),
    Rule("breadcrumb", "the website's navigation path, not part of the text", _line_rule(_BREADCRUMB, 300)),
    Rule("related-links", "link to other pages of the website, not part of the text", _line_rule(_RELATED, 300)),
    Rule("tags", "the website's tags for the page, not part of the text", _line_rule(_TAGS, 300)),
    Rule("view-counter", "the website's view counter, not part of the text", _line_rule(_COUNTER, 60)),
    Rule("copyright-notice", "the website's copyright notice, not part of the text", _line_rule(_COPYRIGHT, 200)),
    Rule("un-header", _UN_HEADER, _un_header),
    Rule("un-page-furniture", "page furniture of the UN document (job number, barcode, page number, running symbol)",
         _un_page_furniture),
    Rule("footnote-definition", "a footnote of the text: shown as a footnote under it", _footnote_definitions),
    Rule("image-file", f"an image's file name: {_IMAGE}", _image_files),
    Rule("image-caption", f"an image's caption: {_IMAGE}", _image_captions),
    Rule("duplicate-caption", "the same image caption repeated by the page", _duplicate_captions),
    Rule("section-label", "the website's section label above the title, not part of the text", _section_label),
    Rule("title", "the document's title: shown as the record's title", _title),
    Rule("dateline", "the document's dateline: read as metadata", _dateline),
    Rule("outlet-signature", "the outlet's name under the text: read as metadata", _outlet_signature),
    Rule("page-break", "a page break splitting a paragraph: the two halves are one paragraph", _page_breaks),
    Rule("layout-whitespace", "layout whitespace", _layout_whitespace),
)


def clean(capture: Capture, rules: Sequence[Rule] = RULES) -> Cleaned:
    state = _State(capture)
    for rule in rules:
        for i in sorted(set(rule.find(state))):    # a rule may name a line twice; another rule may not
            state.remove(i, rule.name, rule.reason)
    body_lines = tuple(i + 1 for i, owner in enumerate(state.owner) if owner is None)
    return Cleaned(
        body="\n".join(capture.lines[n - 1] for n in body_lines),
        body_lines=body_lines,
        removed=tuple(sorted(state.removed, key=lambda r: r.line)),
        comments=tuple(state.comments),
        images=tuple(sorted(state.images, key=lambda im: im.line)),
        footnotes=tuple(state.footnotes),
        header=tuple((k, v) for _, k, v in sorted(state.header, key=lambda h: h[0])),
    )


def reconstruct(lines_total: int, body_lines, body: str, removed, comments) -> list[str]:
    """Put every line back at its place; the inverse of clean()."""
    out: list[str | None] = [None] * lines_total
    body_texts = body.split("\n") if body_lines else []
    if len(body_texts) != len(body_lines):
        raise ValueError(f"body has {len(body_texts)} lines but {len(body_lines)} line numbers")
    placed = [*zip(body_lines, body_texts), *((r.line, r.text) for r in removed),
              *((c.first_line + k, t) for c in comments for k, t in enumerate(c.lines))]
    for number, text in placed:
        if not 1 <= number <= lines_total:
            raise ValueError(f"line {number} is outside the capture's {lines_total} lines")
        if out[number - 1] is not None:
            raise ValueError(f"line {number} accounted for twice")
        out[number - 1] = text
    missing = [i + 1 for i, t in enumerate(out) if t is None]
    if missing:
        raise ValueError(f"lines not accounted for: {missing[:10]}")
    return out  # type: ignore[return-value]
