"""Click's own words in Chinese for the `assess` command line.

Click writes its headings, the help option and its usage errors in English, through gettext
(`from gettext import gettext as _` in each of its modules). Our users read Chinese only, so
`install()` routes those calls through a table of the messages this CLI can show, translated with
their placeholders kept; a message not listed stays English. `ChineseHelpFormatter` also breaks
help lines by display width: click counts characters, so Chinese lines ran twice too wide and
Latin words were split in the middle.
"""

from __future__ import annotations

import re

import click

from assess.util import display_width as _width

_CLICK_ZH = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Did you mean {possibility}?": "是不是 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是其中之一：{possibilities}？）",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数值。",
    "{value} is not in the range {range}.": "{value} 不在允许的范围 {range} 内。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是 {choices} 之一。",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹，这里要文件。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，这里要文件夹。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 没有读取权限。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 没有写入权限。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Aborted!": "已取消。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
}


def _click_zh(message: str) -> str:
    return _CLICK_ZH.get(message, message)


def _click_nzh(singular: str, plural: str, n: int) -> str:
    return _click_zh(singular if n == 1 else plural)


def install() -> None:
    """Route click's gettext calls through `_CLICK_ZH` (click imports `gettext as _` per module)."""
    for mod in (click.core, click.exceptions, click.parser, click.types, click.decorators, click.formatting, click.termui):
        if hasattr(mod, "_"):
            mod._ = _click_zh
        if hasattr(mod, "ngettext"):
            mod.ngettext = _click_nzh


_METAVAR_ZH = {"INTEGER": "整数", "FLOAT": "数值", "TEXT": "文本"}
_METAVAR_RX = re.compile(r"\b(" + "|".join(_METAVAR_ZH) + r")\b")
_NO_LINE_START = set("，。、；：！？）」』”’》〉】…,.;:!?)]")  # kept on the line before
_NO_LINE_END = set("（「『“‘《〈【([")  # kept with what follows


def _pieces(text: str) -> list[str]:
    """Units a line may break between: a word of narrow characters, one wide character, or a
    space; closing punctuation sticks to what precedes it, opening punctuation to what follows."""
    out: list[str] = []
    for m in re.finditer(r"\s+|[^\s\u1100-\uffff]+|.", text):
        piece = m.group(0)
        if piece.isspace():
            piece = " "
        if out and (piece[0] in _NO_LINE_START or out[-1][-1] in _NO_LINE_END) and not out[-1].isspace():
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns (a single longer word stays whole)."""
    lines, line, used = [], "", 0
    for piece in _pieces(text):
        w = _width(piece)
        if piece == " ":
            if line:
                line, used = line + " ", used + 1
            continue
        if used + w > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + piece, used + w
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _join(lines: list[str]) -> str:
    """A paragraph's source lines as one text: a space between Latin words, none next to CJK."""
    out = ""
    for line in (x.strip() for x in lines):
        if out and line and _width(out[-1]) == 1 and _width(line[0]) == 1:
            out += " "
        out += line
    return out


class ChineseHelpFormatter(click.HelpFormatter):
    """Click's help layout with Chinese headings, metavars and line breaking by display width
    (click counts characters, so Chinese lines ran twice too wide and Latin words were split)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def _paragraphs(self, text: str, width: int) -> list[str]:
        out: list[str] = []
        for para in re.split(r"\n[ \t]*\n", text.strip("\n")):
            lines = para.splitlines()
            if lines and lines[0].strip() == "\b":  # click's mark: keep these lines as written
                out.extend(lines[1:])
            else:
                out.extend(_wrap(_join(lines), width))
            out.append("")
        return out[:-1]

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for line in self._paragraphs(text, self.width - self.current_indent):
            self.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(_METAVAR_RX.sub(lambda m: _METAVAR_ZH[m.group(1)], a), b) for a, b in rows]
        first_col = min(max((_width(a) for a, _b in rows), default=0), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if _width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - _width(first)))
            else:
                self.write("\n" + pad)
            lines = self._paragraphs(second, max(self.width - first_col - self.current_indent, 20)) or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{pad}{line}\n" if line else "\n")


class _Context(click.Context):
    formatter_class = ChineseHelpFormatter


class _Command(click.Command):
    context_class = _Context


class ChineseGroup(click.Group):
    """The `assess` group: its commands and subgroups format help with `ChineseHelpFormatter`."""

    context_class = _Context
    command_class = _Command
    group_class = type  # subgroups (assess rules …) are of this class too


def usage_message(e: click.UsageError) -> str:
    """The error's message; click joins its (now Chinese) sentences with an ASCII "." and spaces."""
    msg = e.format_message()
    return re.sub(r"([。？])\s+", r"\1", re.sub(r"'\.(?=\s|$)", "'。", msg))
