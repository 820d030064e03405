"""Coded, user-facing errors.

Every expected failure becomes an `AssessError` with a stable code and a one-line Chinese
message naming the file and the reason; the CLI prints it without a traceback.
Codes: E1xx input documents, E2xx rule packs, E3xx model, E4xx output/report, E5xx batch store.
"""

from __future__ import annotations


class AssessError(Exception):
    """An expected failure with a stable code and a Chinese message for the user."""

    code = "E100"

    def __init__(self, message: str, *, code: str | None = None, path: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.path = path

    def __str__(self) -> str:
        if self.path:
            return f"{self.path}：{self.message}"
        return self.message

    def to_dict(self) -> dict:
        return {"code": self.code, "message": str(self)}


class InputError(AssessError):
    """A document could not be read (missing, empty, corrupt, encrypted, unsupported, too large)."""

    code = "E100"


class RuleError(AssessError):
    """A rule pack is invalid; the message names file, line and problem."""

    code = "E200"


class ModelError(AssessError):
    """The classifier artifact is missing, stale or incompatible."""

    code = "E300"


class OutputError(AssessError):
    """A report could not be written."""

    code = "E400"


# Input error codes (stable; documented in README "退出码与错误"):
E_NOT_FOUND = "E101"        # 文件不存在
E_IS_DIR = "E102"           # 给 check 的是目录
E_UNREADABLE = "E103"       # 无读取权限 / IO 错误
E_EMPTY = "E104"            # 空文件或没有文字
E_TOO_LARGE = "E105"        # 超过大小上限
E_UNSUPPORTED = "E106"      # 不支持的格式
E_ENCODING = "E107"         # 无法识别编码 / 不是文本
E_CORRUPT = "E108"          # 文件损坏
E_ENCRYPTED = "E109"        # 加密
E_SCANNED = "E110"          # 扫描件，无文字层
E_TIMEOUT = "E111"          # 处理超时
E_ZIP_BOMB = "E112"         # 压缩包解压后过大
