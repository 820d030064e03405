"""Regenerate the pictures in docs/sample-reports.md from the bundled examples.

    .venv/bin/python docs/img/make_samples.py

Needs Chromium and LibreOffice (Writer) on PATH, and a CJK font (fonts-noto-cjk). Reviews
examples/ with the rules only (--no-model, so the pictures do not depend on a trained model),
renders the HTML report headless in Chromium, converts the annotated Word reports to PDF with
LibreOffice (comments exported as PDF annotations) and draws each page with its comments beside
it, the way Word and WPS show them in the margin.
"""

from __future__ import annotations

import glob
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from docgen import pdf_comments  # noqa: E402 - the tests' reader of exported Word comments
IMG = ROOT / "docs" / "img"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, **kw)


def chromium_shot(html: Path, png: Path, width=1280, height=1400, fragment="") -> None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    with tempfile.TemporaryDirectory() as profile:
        run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", "--hide-scrollbars",
             f"--window-size={width},{height}", f"--screenshot={png}", html.resolve().as_uri() + fragment])


def to_pdf(docx: Path, out_dir: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    flt = 'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}'
    with tempfile.TemporaryDirectory() as profile:
        run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", flt, "--outdir", str(out_dir), str(docx)])
    return out_dir / (docx.stem + ".pdf")


def page_with_comments(pdf_path: Path, index: int, png: Path, scale=1.4, panel=560) -> None:
    """Render one PDF page and draw its comments as balloons in a margin panel."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw, ImageFont

    pdf = pdfium.PdfDocument(str(pdf_path))
    page = pdf[index]
    img = page.render(scale=scale, draw_annots=False).to_pil().convert("RGB")
    comments = pdf_comments(page)
    W, H = img.size
    canvas = Image.new("RGB", (W + panel, H), (243, 243, 243))
    canvas.paste(img, (0, 0))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.truetype(FONT, 15)
    bold = ImageFont.truetype(FONT_BOLD, 15)
    y_next = 10
    for y_pt, x_pt, text in comments:
        lines = []
        for i, para in enumerate(_balloon_paragraphs(text)):
            wrapped = textwrap.wrap(para, 33) or [""]
            if len(wrapped) > 2:
                wrapped = wrapped[:2]
                wrapped[1] = wrapped[1][:-1] + "…"
            lines += [(line, i == 0) for line in wrapped]
        box_h = 22 * len(lines) + 16
        top = max(int(y_pt * scale) - 12, y_next)
        if top + box_h > H:
            break
        x0 = W + 12
        draw.rounded_rectangle([x0, top, W + panel - 12, top + box_h], radius=6, fill=(255, 255, 255), outline=(200, 120, 120), width=2)
        draw.line([(int(x_pt * scale), int(y_pt * scale) + 6), (x0, top + 14)], fill=(200, 120, 120), width=2)
        for k, (line, is_head) in enumerate(lines):
            draw.text((x0 + 10, top + 8 + 22 * k), line, fill=(30, 30, 30), font=bold if is_head else font)
        y_next = top + box_h + 8
    canvas.save(png, optimize=True)


def _balloon_paragraphs(text: str) -> list[str]:
    """The comment shortened for a picture: heading, explanation, first legal basis, suggestion, rule."""
    out, basis_done = [], False
    paras = text.splitlines()
    for i, para in enumerate(paras):
        if para == "法律依据：":
            continue
        if para.startswith("· "):
            if not basis_done:
                out.append("法律依据：" + para[2:])
                basis_done = True
            continue
        out.append(para)
    return out


def pdf_page(pdf_path: Path, index: int, png: Path, scale=1.4) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    pdf[index].render(scale=scale, draw_annots=False).to_pil().convert("RGB").save(png, optimize=True)


def find_page(pdf_path: Path, needle: str) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    for i in range(len(pdf)):
        if needle in pdf[i].get_textpage().get_text_range():
            return i
    return 0


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        # Relative paths, as a user would type them (they are shown in the reports).
        files = [str(Path(f).relative_to(ROOT)) for f in sorted(
            glob.glob(str(ROOT / "examples" / "*.docx")) + glob.glob(str(ROOT / "examples" / "*.pdf"))
            + glob.glob(str(ROOT / "examples" / "*.txt")))]
        subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", "--no-model", *files, "--format", "docx,html,xlsx,json,md",
                        "-o", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL, timeout=300)
        chromium_shot(out / "审查报告.html", IMG / "html-report.png", height=1500)
        one = Path(tmp) / "one"
        subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", "--no-model",
                        "examples/某县促进就业若干措施（征求意见稿）.docx", "--format", "html", "-o", str(one)],
                       cwd=ROOT, stdout=subprocess.DEVNULL, timeout=300)
        chromium_shot(one / "审查报告.html", IMG / "html-report-table.png", height=1700)
        village = out / "某村村规民约（修订草案）.审查.docx"
        jobs = out / "某县促进就业若干措施（征求意见稿）.审查.docx"
        pdf = to_pdf(village, Path(tmp))
        page_with_comments(pdf, 1, IMG / "docx-annotated.png")
        pdf_page(pdf, find_page(pdf, "男女平等评估意见书"), IMG / "docx-opinion.png")
        pdf_jobs = to_pdf(jobs, Path(tmp))
        page_with_comments(pdf_jobs, find_page(pdf_jobs, "性别"), IMG / "docx-annotated-table.png")
        shutil.copy(out / "审查报告.md", Path(tmp) / "keep.md")
    shrink(IMG.glob("*.png"))
    print("written:", *sorted(p.name for p in IMG.glob("*.png")))


def shrink(paths) -> None:
    """256-colour palette PNGs: a third of the size, no visible change for pages of text."""
    from PIL import Image

    for p in paths:
        img = Image.open(p).convert("RGB")
        img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(p, optimize=True)


if __name__ == "__main__":
    main()
