"""Reading the CSV files people upload or hand to a command.

Excel writes CSV in two encodings: “CSV UTF-8” and, on a Chinese Windows, plain “CSV”, which is
GB18030 (a superset of GBK). Both are read, UTF-8 first: GB18030 would accept many UTF-8 byte
sequences and read them wrongly, while UTF-8 is strict and refuses GB18030 text outright.
"""

from django.utils.translation import gettext as _


class NotText(ValueError):
    """Bytes that are neither UTF-8 nor GB18030 text; `line` is where UTF-8 reading stopped."""

    def __init__(self, line: int):
        self.line = line
        super().__init__(
            _(
                "Line %(line)d: the file is neither UTF-8 nor GBK text. Save it from Excel as "
                "“CSV UTF-8 (comma delimited)” or as the .xlsx workbook itself."
            )
            % {"line": line}
        )


def decode_csv_bytes(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return content.decode("gb18030")
        except UnicodeDecodeError:
            raise NotText(content[: utf8_error.start].count(b"\n") + 1) from None
