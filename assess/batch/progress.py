"""Progress display: a one-line bar on a terminal, periodic plain log lines otherwise."""

from __future__ import annotations

import sys
import time


def _dur(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}小时{m:02d}分"
    if m:
        return f"{m}分{s:02d}秒"
    return f"{s}秒"


class Progress:
    def __init__(self, total: int, stream=None, tty: bool | None = None, interval: float = 10.0, enabled: bool = True):
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = interval if not self.tty else 0.2
        self.enabled = enabled
        self.start = time.monotonic()
        self.last = 0.0
        self.done = 0
        self.errors = 0
        self.findings = 0
        self.bytes = 0

    def update(self, done: int, errors: int, findings: int = 0, nbytes: int = 0, force: bool = False) -> None:
        self.done, self.errors, self.findings, self.bytes = done, errors, findings, nbytes
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < self.interval):
            return
        self.last = now
        self.stream.write(self.line(now) if not self.tty else "\r" + self.bar(now) + "\033[K")
        self.stream.flush()

    def _rate_eta(self, now: float):
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate > 0 else None
        return elapsed, rate, eta

    def bar(self, now: float) -> str:
        _, rate, eta = self._rate_eta(now)
        width = 24
        frac = self.done / self.total if self.total else 1.0
        filled = int(width * frac)
        eta_s = _dur(eta) if eta is not None else "—"
        return (f"[{'█' * filled}{'·' * (width - filled)}] {self.done}/{self.total} 个文件 {frac:4.0%}  "
                f"{rate:.1f} 个/秒  剩余约 {eta_s}  问题 {self.findings}  出错 {self.errors}")

    def line(self, now: float) -> str:
        elapsed, rate, eta = self._rate_eta(now)
        eta_s = _dur(eta) if eta is not None else "未知"
        pct = self.done / self.total if self.total else 1.0
        return (f"进度：{self.done}/{self.total}（{pct:.0%}），{rate:.1f} 个/秒，{self.bytes / elapsed / 1048576:.2f} MB/秒，"
                f"已用 {_dur(elapsed)}，预计剩余 {eta_s}，问题 {self.findings}，出错 {self.errors}\n")

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\r" + self.bar(time.monotonic()) + "\033[K\n")
            self.stream.flush()
