"""`assess serve`: a local web page for reviewers who do not use a terminal.

    from assess.web import create_app
    app = create_app("~/.assess-web")          # Flask app; app.run() or `assess serve`

- app.py       routes, access token, CSRF, security headers (Flask, server-rendered Jinja)
- service.py   data folder, the batch store (assess/batch/store.py) as history, background reviews,
               decisions file, downloads, retention purge
- uploads.py   upload limits, content sniffing, safe zip unpacking
See docs/web.md.
"""

from __future__ import annotations

import ipaddress
import secrets

__all__ = ["create_app", "serve", "is_loopback"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def create_app(*args, **kwargs):
    from .app import create_app as _create

    return _create(*args, **kwargs)


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_data_dir():
    from pathlib import Path

    return Path.home() / ".assess" / "web"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, data_dir=None, *, allow_remote: bool = False,
          retention_days: float = 30.0, options=None, limits=None, echo=print, ready=None, timeout: float = 120.0,
          isolate: bool = True, jobs: int = 1) -> None:
    """Run the web app until interrupted. Binding to a non-loopback address needs `allow_remote`
    and then requires the printed access token on every request."""
    from werkzeug.serving import make_server

    from ..errors import AssessError

    remote = not is_loopback(host)
    if remote and not allow_remote:
        raise AssessError(f"为安全起见只允许在本机地址（127.0.0.1）上提供服务；要让其他电脑访问 {host}，请加 --allow-remote", code="E604")
    token = secrets.token_urlsafe(24) if remote else None
    app = create_app(data_dir or default_data_dir(), options=options, retention_days=retention_days, limits=limits, token=token,
                     isolate=isolate, timeout=timeout, jobs=jobs)
    try:
        app.extensions["assess"].store.lock()  # the same advisory lock as `assess batch -o`
    except AssessError:
        app.extensions["assess"].stop()
        raise AssessError("这个数据目录正被另一个 assess serve 或 assess batch 使用；请换一个 --data-dir", code="E607",
                          path=str(app.extensions["assess"].data)) from None
    if not remote and host not in app.config["TRUSTED_HOSTS"]:
        app.config["TRUSTED_HOSTS"].append(host)  # e.g. 127.0.0.2
    server = make_server(host, port, app, threaded=True)
    port = server.server_port
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if remote:
        echo("警告：已允许其他电脑访问本服务。上传的文件可能涉及未公开的草案，请只在可信的内部网络中使用，用完及时关闭。")
        echo(f"访问令牌：{token}（每次启动都会更换）")
        if host in ("0.0.0.0", "::"):
            echo(f"请在浏览器中打开：http://本机IP地址:{port}/?token={token}（本机可用 http://127.0.0.1:{port}/?token={token}）")
        else:
            echo(f"请在浏览器中打开：{url}?token={token}")
    else:
        echo(f"请在浏览器中打开：{url}")
    echo(f"数据目录：{app.extensions['assess'].data}（按 Ctrl-C 停止服务）")
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    finally:
        app.extensions["assess"].stop()
        server.server_close()
