"""Masking of personal data for those who do not handle the case (README: Security and
operations, personal data).

One rule, in one place, for every way personal data leaves the portal: pages, printed
documents, Excel exports and log lines all mask through `mask_personal_data` (and the field
maskers below, which give the same masked forms for a person's own fields).

The masked forms:

- a resident ID number keeps its first 3 and last 4 characters:
  `140406198503071239` → `140***********1239` (15-digit old numbers alike: `140********0123`);
- a phone number keeps its first 3 and last 4 digits: `13800138000` → `138****8000`,
  `0355-1234567` → `035****4567`; a number of fewer than 11 digits (a landline typed without
  its area code) keeps only its last 4: `2123456` → `***3456`;
- a name keeps its first character (the family name): `张三丰` → `张**`.

A number is masked however it was typed, and written masked in that one form: the digits only,
without the separators, the `+86` / `86` / `0086` country code or the parentheses it was typed
with. Recognised in text:

- ID numbers of 18 characters (the last may be X or x), also typed in groups with spaces or
  dashes (`140406 1985 0307 1239`, `140406-19850307-1239`), and 15-digit old ones;
- mobile numbers (1[3-9]x, 11 digits), plain, as `138-0013-8000` or `138 0013 8000`, with or
  without `+86`, `86` or `0086` in front;
- landlines with their area code (`0355-1234567`, `(0355)1234567`, `0355 1234 567`), and
  without it (7 or 8 digits) where a word says it is a phone (电话, 座机, 联系, 号码, tel…):
  a bare run of 7 or 8 digits is as likely an amount or a count;
- any of these with zero-width characters (U+200B, U+200C, U+200D, U+2060, U+FEFF) or soft
  hyphens (U+00AD) inside, or typed with full-width digits.

Left alone: dates (`2026-03-01`, `20260301`), amounts, case numbers (`JF20260000123`), the
12-digit statistical area codes, and any run of digits longer than the number it would be.
"""

import re
from collections.abc import Iterable
from functools import lru_cache

# --- The masked forms ------------------------------------------------------------------------

# Characters that cannot be seen but split a number so that a plain search misses it.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]+")


def _digits(value: str) -> str:
    """The digits (and an ID number's check X) of a value as typed."""
    return re.sub(r"[^0-9X]", "", _fold(value or "").upper())


def _keep_ends(digits: str) -> str:
    """The one masked form of a number: 11 characters or more keep their first 3 and last 4,
    7 to 10 keep their last 4, anything shorter is hidden whole."""
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 7:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def mask_id_number(value: str) -> str:
    """A resident ID number with only its first 3 and last 4 characters visible:
    `140406199001011234` → `140***********1234`."""
    return _keep_ends(_digits(value))


def mask_phone(value: str) -> str:
    """A phone number with its middle hidden: `13912345678` → `139****5678`,
    `0355-1234567` → `035****4567`; a country code in front is dropped."""
    digits = _digits(value)
    for code in ("0086", "86"):
        if digits.startswith(code) and len(digits) - len(code) in (11, 10, 9):
            national = digits[len(code) :]
            if re.fullmatch(r"1[3-9][0-9]{9}", national):
                digits = national
            elif not national.startswith("0"):
                digits = "0" + national
            else:
                digits = national
            break
    return _keep_ends(digits)


def mask_name(value: str) -> str:
    """A person's name with all but the family name hidden: `张三丰` → `张**`."""
    value = _INVISIBLE_RE.sub("", value or "")
    value = re.sub(r"\s+", "", value)
    return value[:1] + "*" * (len(value) - 1) if value else ""


# --- Numbers in text -------------------------------------------------------------------------

# Full-width digits and punctuation, and other spaces and dashes, read as their plain forms.
# One character for one, so a match in the folded text is the same span in the original.
_FOLD_TABLE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "（": "(",
        "）": ")",
        "＋": "+",
        "－": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u3000": " ",
        "\u00a0": " ",
        "\u202f": " ",
        "ｘ": "x",
        "Ｘ": "X",
    }
)


_FOLDABLE = re.compile("[" + "".join(chr(c) for c in _FOLD_TABLE) + "]")


def _fold(text: str) -> str:
    return text.translate(_FOLD_TABLE) if _FOLDABLE.search(text) else text


# Invisible characters inside a number or beside it; elsewhere (a joiner inside an emoji, say)
# they are left where they are.
_NUMBERISH = r"0-9０-９+＋()（）\-－\u2010-\u2014 \u3000\u00a0:："
_INVISIBLE_BY_NUMBERS = re.compile(
    rf"(?<=[{_NUMBERISH}])[{INVISIBLE}]+|[{INVISIBLE}]+(?=[{_NUMBERISH}xXｘＸ])"
)

# Between two groups of a number: nothing, a dash, or spaces (around a dash or alone).
_S = r"(?:[ \t]{0,2}-[ \t]{0,2}|[ \t]{1,2})?"

# An ID number's parts: area (6), birth date (8, or 6 in an old number), sequence and check.
_AREA = r"[1-9][0-9]{5}"
_YEAR = r"(?:18|19|20)[0-9]{2}"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"

# A country code in front of a phone number.
_COUNTRY = r"(?:(?:\+|00)86[ \t-]{0,2}|\(\+?86\)[ \t]{0,2}|86[ \t-]{0,2})"
# A mobile number: 1[3-9]x, then 8 digits, in one piece or in 3-4-4 groups.
_MOBILE = rf"1[3-9][0-9]{_S}[0-9]{{4}}{_S}[0-9]{{4}}"
# An area code: 010, 02x, or four digits from 03xx to 09xx.
_AREA_CODE = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
# A local number: 7 or 8 digits, not beginning with 0, maybe in two groups (3-4, 4-3, 4-4).
_LOCAL = rf"(?:[1-9][0-9]{{2}}{_S}[0-9]{{4}}|[1-9][0-9]{{3}}{_S}[0-9]{{3,4}})"
# Words that say the number after them is a phone.
_PHONE_WORD = (
    r"(?:电话|手机|座机|固话|传真|热线|号码|联系方式|联系|致电|拨打"
    r"|(?i:tel|phone|mobile|fax|call))"
)

NUMBERS_IN_TEXT = re.compile(
    # (Where none can begin, one character says so: the search is quick where there is none.)
    r"(?=[0-9(+电手座固传热号联致拨TtPpMmFfCc])(?:"
    # An 18-character ID number in one piece, whatever its digits.
    rf"(?<![0-9A-Za-z])(?P<id>[0-9]{{17}}[0-9Xx])(?![0-9A-Za-z])"
    # One typed in groups: then it must read as one (an area, a birth date).
    rf"|(?<![0-9A-Za-z])(?P<id_grouped>{_AREA}{_S}{_YEAR}{_S}{_MONTH}{_S}{_DAY}{_S}"
    rf"[0-9]{{3}}[0-9Xx])(?![0-9A-Za-z])"
    # A 15-digit old ID number (area, yymmdd, sequence), in one piece or in groups.
    rf"|(?<![0-9A-Za-z])(?P<id_old>{_AREA}{_S}[0-9]{{2}}{_MONTH}{_DAY}{_S}[0-9]{{3}})"
    rf"(?![0-9A-Za-z])"
    # A mobile number, maybe with a country code, in one piece or in 3-4-4 groups.
    rf"|(?<![0-9+])(?:{_COUNTRY})?(?P<mobile>{_MOBILE})(?![0-9])"
    # A landline with its area code, maybe in parentheses, maybe with a country code.
    rf"|(?<![0-9+])(?:{_COUNTRY}\(?(?P<area_abroad>0?(?:10|2[0-9]|[3-9][0-9]{{2}}))\)?"
    rf"|\((?P<area_bracketed>{_AREA_CODE})\)|(?P<area>{_AREA_CODE}))"
    rf"{_S}(?P<landline>{_LOCAL})(?![0-9])"
    # A landline without its area code, where a word says it is a phone.
    # (A mobile after such a word is a mobile: the word does not take its first 7 digits.)
    rf"|(?P<word>{_PHONE_WORD}[ \t:：]{{0,3}}(?:是|为)?[ \t:：]{{0,2}})"
    rf"(?!{_MOBILE}(?![0-9]))(?P<local>{_LOCAL})(?!-?[0-9])"
    r")"
)

_HAS_DIGIT = re.compile(r"[0-9０-９]")
# Seven digits or more with nothing but a number's separators between them: every number
# above has that, and most texts with digits in them (a log line, a date) do not, so they
# are not searched further.
_CANDIDATE = re.compile(r"[0-9](?:[ \t\-()+]{0,5}[0-9]){6}")


def _mask_number(match: re.Match, text: str) -> str:
    """The masked form of one number found in the folded `text`."""
    groups = match.groupdict()
    for name in ("id", "id_grouped", "id_old"):
        if groups[name]:
            return mask_id_number(groups[name])
    if groups["mobile"]:
        return mask_phone(groups["mobile"])
    if groups["landline"]:
        area = groups["area"] or groups["area_bracketed"] or groups["area_abroad"]
        area = area if area.startswith("0") else "0" + area
        return mask_phone(area + _digits(groups["landline"]))
    # The word before a landline stays as it was typed.
    return text[match.start("word") : match.end("word")] + mask_phone(groups["local"])


def _mask_numbers(text: str) -> str:
    if not _HAS_DIGIT.search(text):
        return text
    if _INVISIBLE_RE.search(text):
        text = _INVISIBLE_BY_NUMBERS.sub("", text)
    folded = _fold(text)
    if not _CANDIDATE.search(folded):
        return text
    pieces, last = [], 0
    for match in NUMBERS_IN_TEXT.finditer(folded):
        pieces += [text[last : match.start()], _mask_number(match, text)]
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


# --- Names in text ---------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for the names, longest first (so that 张三丰 is masked whole before 张三
    could match inside it), each also found with invisible characters or a space inside."""
    gap = f"[{INVISIBLE}]*\\s?[{INVISIBLE}]*"
    alternatives = [gap.join(map(re.escape, name)) for name in names]
    return re.compile("|".join(alternatives)) if alternatives else None


def _name_key(names: Iterable[str]) -> tuple[str, ...]:
    """Names of one character are left alone: they would mask every occurrence of a common
    character rather than a person."""
    names = {re.sub(r"\s+", "", n or "") for n in names}
    return tuple(sorted((n for n in names if len(n) >= 2), key=lambda n: (-len(n), n)))


# --- The one function ------------------------------------------------------------------------


def mask_personal_data(text: str, *, names: Iterable[str] = (), handling: bool = False) -> str:
    """`text` as someone not handling its case may read it: every ID number and phone number
    in it masked (in any of the forms above), and each of `names` (the case's parties or
    petitioners) masked to its family name. Those `handling` the case read it whole.

    Pages and printed documents pass the case's people and whether the reader handles it;
    Excel exports and log lines call it with no names and no handler, so the numbers are
    always masked there."""
    text = "" if text is None else str(text)
    if handling or not text:
        return text
    text = _mask_numbers(text)
    if not names:
        return text
    # Only the names that could be in it: most texts name no one, and need no pattern.
    pattern = _names_pattern(tuple(name for name in _name_key(names) if name[0] in text))
    if pattern is None:
        return text
    return pattern.sub(lambda match: mask_name(match.group()), text)


class TextMask:
    """`mask_personal_data` bound to one case's people, for the templates: the free text of
    one case (its description, notes, agreement, the participants of a session) as someone who
    does not handle it may read it. Those handling the case get no mask (None) and read the
    text whole (`text_mask`)."""

    # Handed to templates as a filter's argument, not a value to call.
    do_not_call_in_templates = True

    def __init__(self, names: Iterable[str] = ()):
        self.names = _name_key(names)

    def __call__(self, text: str) -> str:
        return mask_personal_data(text or "", names=self.names)


def text_mask(*, people, handling: bool) -> TextMask | None:
    """The mask of a case's free text for one reader: None for those handling it."""
    return None if handling else TextMask(person.name for person in people)
