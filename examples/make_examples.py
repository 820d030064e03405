"""Regenerate the sample documents in examples/ (deterministic; all text written for this project).

    .venv/bin/python examples/make_examples.py          # writes next to this script
    .venv/bin/python examples/make_examples.py OUT_DIR

The names, places and figures are invented. Each sample mixes ordinary clauses with a few
discriminatory ones of the kinds county and township reviewers actually meet, so that
`assess check examples/…` has something to find; see examples/README.md for what is in each.

The PDF is made the way a township office makes one: a Word draft exported to PDF by LibreOffice
(headless). Without LibreOffice it falls back to reportlab with the CID font STSong-Light and draws
the running header and page numbers itself. Zip timestamps and PDF dates/IDs are pinned so the same
tool versions produce the same bytes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from docgen import add_page_footer  # noqa: E402 - the test documents' builder, shared

W = nsdecls("w")

VILLAGE_DOCX = "某村村规民约（修订草案）.docx"
POLICY_DOCX = "某县促进就业若干措施（征求意见稿）.docx"
PLAN_PDF = "某镇妇女权益保障工作方案.pdf"
CHARTER_TXT = "某村股份经济合作社章程.txt"


# ---------------------------------------------------------------------------------------------
# python-docx helpers


def _new_document() -> docx.Document:
    d = docx.Document()
    style = d.styles["Normal"]
    style.font.size = Pt(14)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    d.core_properties.author = "assess 示例"
    d.core_properties.title = ""
    return d


def _add_numbering(d, lvl_text: str, fmt: str) -> str:
    numbering = d.part.numbering_part.element
    aid = max([int(x) for x in numbering.xpath("./w:abstractNum/@w:abstractNumId")] or [0]) + 1
    nid = max([int(x) for x in numbering.xpath("./w:num/@w:numId")] or [0]) + 1
    absnum = parse_xml(
        f'<w:abstractNum {W} w:abstractNumId="{aid}"><w:multiLevelType w:val="singleLevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{lvl_text}"/>'
        f'<w:suff w:val="space"/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(absnum)
    else:
        numbering.append(absnum)
    numbering.append(parse_xml(f'<w:num {W} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/></w:num>'))
    return str(nid)


def _numbered(d, num_id: str, text: str):
    p = d.add_paragraph(text)
    p.paragraph_format.first_line_indent = Pt(28)
    p._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return p


def _para(d, text: str, indent: bool = True):
    p = d.add_paragraph(text)
    if indent:
        p.paragraph_format.first_line_indent = Pt(28)
    return p


def _heading(d, text: str):
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run(text)
    r.bold = True
    return p


def _title(d, text: str, sub: str | None = None):
    p = d.add_paragraph(text, style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if sub:
        s = d.add_paragraph(sub)
        s.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _header_footer(d, header: str):
    """Centred running header and a “— N —” footer (a PAGE field, from tests/docgen.py)."""
    add_page_footer(d, "— ", " —", header=header)
    sec = d.sections[0]
    sec.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    sec.footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(d, rows: list[list[str]], header_repeat: bool = True):
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    if header_repeat:
        trpr = t.rows[0]._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:tblHeader"))
    return t


def _tracked_insert(p, before: str, inserted: str, after: str):
    p.add_run(before)
    p._p.append(parse_xml(
        f'<w:ins {W} w:id="901" w:author="镇司法所" w:date="2026-03-02T09:00:00Z"><w:r><w:t>{inserted}</w:t></w:r></w:ins>'))
    p.add_run(after)


def _save_docx(d, path: Path) -> None:
    d.save(path)
    _pin_zip(path)


def _pin_zip(path: Path) -> None:
    """Rewrite a zip with fixed timestamps and order, so regenerating gives the same bytes."""
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(2026, 3, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2026-03-01T00:00:00Z", data)
            z.writestr(info, data)


# ---------------------------------------------------------------------------------------------
# (1) Village rules


def village_rules(path: Path) -> None:
    d = _new_document()
    _header_footer(d, "某村村民委员会")
    _title(d, "某村村规民约（修订草案）", "（2026年3月村民代表会议讨论稿）")
    _para(d, "为推进本村自治、法治、德治相结合，维护生产生活秩序，建设和睦文明的新农村，依据《中华人民共和国村民委员会组织法》"
             "等法律法规，经村民会议讨论，结合本村实际，修订本村规民约。")
    art = _add_numbering(d, "第%1条", "chineseCounting")

    _heading(d, "第一章 总则")
    _numbered(d, art, "本村规民约适用于本村全体村民，以及在本村居住、从事生产经营活动的其他人员。")
    _numbered(d, art, "村民依法享有选举权和被选举权，享有对村务的知情权、参与权和监督权，同时应当履行本规约规定的义务。")
    _numbered(d, art, "村民会议是本村的最高议事机构。村民代表会议由村民代表和村民委员会成员组成，讨论决定村民会议授权的事项。")
    _numbered(d, art, "村民代表会议由各户推选一名户代表参加，户代表须为本户男性户主；户内无男性的，由本组男性村民代为出席。")

    _heading(d, "第二章 社会治安与消防安全")
    _numbered(d, art, "村民应当自觉遵守法律法规，不参与赌博、吸毒、封建迷信等活动，发现违法犯罪行为及时向村委会或公安机关报告。")
    _numbered(d, art, "村内实行治安联防，各村民小组每月安排人员参加夜间巡逻，巡逻人员由小组长统一排班。")
    _numbered(d, art, "严禁在山林、田间焚烧秸秆和垃圾；进山祭扫不得燃放鞭炮、焚烧纸钱，违者由村委会批评教育并报林业部门处理。")
    p = _numbered(d, art, "")
    _tracked_insert(p, "家庭用电用气应当遵守安全规定，不得私拉乱接电线，", "电动车不得在楼道和室内充电，", "液化气钢瓶应当到正规网点充装。")

    _heading(d, "第三章 土地管理与集体收益分配")
    _numbered(d, art, "本村集体所有的土地依法实行承包经营，承包期内发包方不得随意调整承包地。")
    _numbered(d, art, "本村女子嫁到外村的，无论户口是否迁出，自结婚次月起不再参与本村集体收益分配，其承包地由村民小组收回另行发包。")
    _numbered(d, art, "妇女离婚后户口仍在本村且未再婚的，征地补偿款按本村村民标准的百分之五十发放；再婚的不再发放。")
    _numbered(d, art, "男子到本村女方家落户的，每户只准一名，须经村民代表会议讨论同意，落户满五年后方可享受村民待遇；其子女随父姓的不予登记分配。")
    _numbered(d, art, "集体收益分配方案由村委会拟定，经村民代表会议讨论通过后在村务公开栏公示七日，公示无异议后实施。")
    _numbered(d, art, "村集体每季度公开一次财务收支明细，重大支出事项须经村务监督委员会审核，村民对公开内容有疑问的可以书面提出，村委会应当在十日内答复。")
    _numbered(d, art, "村民建房应当依法申请宅基地，严格按照批准的位置和面积施工，不得占用耕地、河道和公共通道。")

    # The last chapters are typed by hand ("第十六条"), as drafters often do after copying text in.
    _heading(d, "第四章 邻里关系与家庭美德")
    _para(d, "第十六条 邻里之间应当互谅互让、互相帮助。因宅基地界址、排水、通行等发生纠纷的，先由村调解委员会调解，调解不成的可以依法向人民法院起诉。")
    _para(d, "第十七条 子女应当履行赡养父母的义务，不得以分家、放弃继承或者父母再婚等理由拒绝赡养。")
    _para(d, "第十八条 夫妻在家庭中地位平等，共同承担家务劳动和抚养教育子女的责任。禁止任何形式的家庭暴力。")
    _para(d, "第十九条 育龄妇女生育第二个孩子后应当按期上环，并向村委会交纳押金一千元，按时参加查环查孕的，年底退还押金。")
    _para(d, "第二十条 提倡喜事新办、丧事简办，婚丧宴请一般不超过二十桌，不收受高额彩礼，不大操大办。")
    _para(d, "第二十一条 妇女在孕期、产期和哺乳期内，村集体安排义务劳动时应当予以照顾，不得安排其从事繁重劳动。")

    _heading(d, "第五章 环境卫生")
    _para(d, "第二十二条 村民应当保持房前屋后整洁，生活垃圾按分类要求投放到指定收集点，不得倒入河道、沟渠。")
    _para(d, "第二十三条 饲养家禽家畜应当圈养，不得散放在村内道路和公共场所；饲养犬只外出须牵绳。")

    _heading(d, "第六章 附则")
    _para(d, "第二十四条 违反本规约的，由村委会予以批评教育、责令改正；情节严重的，处二百元以上五百元以下罚款，并取消当年评先评优资格。")
    _para(d, "第二十五条 本规约经村民会议讨论通过，报镇人民政府备案后施行，由村民委员会负责解释。")
    _save_docx(d, path)


# ---------------------------------------------------------------------------------------------
# (2) County employment policy


def employment_policy(path: Path) -> None:
    d = _new_document()
    _header_footer(d, "征求意见稿 不得外传")
    _title(d, "某县促进就业若干措施", "（征求意见稿）")
    _para(d, "为贯彻就业优先政策，稳定和扩大就业，促进城乡劳动者实现更加充分、更高质量的就业，结合我县实际，提出以下措施。")
    _para(d, "一、支持企业稳岗扩岗", indent=False)
    _para(d, "（一）对当年新招用本县登记失业人员、脱贫劳动力并签订一年以上劳动合同的中小微企业，按每人一千元给予一次性扩岗补助。")
    _para(d, "（二）企业招用人员时，应当公平对待各类劳动者。对技术和体力要求较高的岗位，同等条件下男性优先录用，以降低企业用工风险。")
    _para(d, "（三）用人单位不得因女职工怀孕、生育、哺乳降低其工资、予以辞退或者单方解除劳动合同。对落实产假、哺乳时间等规定较好的企业，"
             "在评选县级劳动关系和谐企业时予以优先推荐。")
    _para(d, "二、开发公益性岗位", indent=False)
    _para(d, "（四）今年全县开发乡村公益性岗位一百二十个，优先安置就业困难人员和脱贫劳动力，岗位补贴按每人每月八百元标准发放。具体岗位见下表。")
    _table(d, [
        ["岗位名称", "招聘人数", "性别", "年龄要求", "学历", "岗位职责"],
        ["村级保洁员", "60", "不限", "18至60周岁", "不限", "负责村内道路和公共场所保洁"],
        ["护林巡河员", "30", "男", "18至55周岁", "初中及以上", "负责山林防火巡查和河道巡查"],
        ["农家书屋管理员", "20", "不限", "18至50周岁", "高中及以上", "负责图书借阅登记和阅读活动"],
        ["养老服务助理", "10", "不限", "18至55周岁", "初中及以上", "协助开展居家养老上门服务"],
    ])
    _para(d, "三、加强职业技能培训", indent=False)
    _para(d, "（五）面向城乡劳动者开展家政服务、电子商务、农业种养等免费技能培训，对取得职业技能等级证书的，按规定给予培训补贴。")
    _para(d, "（六）组织用人单位开展女职工劳动保护专项检查，督促企业落实女职工禁忌从事的劳动范围规定，为孕期女职工调整适宜岗位。")
    _para(d, "四、优化就业服务", indent=False)
    _para(d, "（七）人力资源服务机构发布招聘信息不得含有民族、性别、宗教信仰等歧视性内容，不得将婚育状况作为录用条件。")
    _para(d, "（八）本措施自印发之日起施行，有效期三年。具体由县人力资源和社会保障局负责解释。")
    _save_docx(d, path)


# ---------------------------------------------------------------------------------------------
# (3) Township plan, exported to PDF

PLAN_TITLE = "某镇妇女权益保障工作方案"
PLAN_HEADER = "某镇人民政府办公室  征求意见稿"
PLAN = [
    ("p", "为全面贯彻男女平等基本国策，依法保障妇女在政治、经济、文化、社会和家庭生活等方面的合法权益，根据《中华人民共和国妇女权益保障法》"
          "和县妇女发展规划的部署，结合本镇实际，制定本方案。"),
    ("h", "一、总体目标"),
    ("p", "到二〇二七年底，全镇各村村规民约、村民自治章程和集体经济组织章程中歧视妇女的内容全部清理完毕；村“两委”班子中女性成员比例"
          "进一步提高，每个村至少有一名女性成员；妇女在土地承包、集体收益分配、宅基地使用等方面的权益得到有效保障。"),
    ("h", "二、主要任务"),
    ("p", "（一）开展村规民约性别平等审查。各村在修订村规民约前，应当将草案报镇妇联和司法所进行性别平等审查，审查意见作为村民会议"
          "讨论的参考材料。对出嫁、离婚、丧偶妇女及其子女的土地权益作出限制的条款，一律予以修改。"),
    ("p", "（二）保障农村妇女土地权益。在土地承包经营权确权登记、征地补偿分配中，做到妇女名字上证、份额到人，不得以婚姻状况变化为由"
          "收回或者变相剥夺妇女的承包地。"),
    ("p", "（三）提高妇女参与村级治理的水平。村民代表中妇女代表应当占三分之一以上，村务监督委员会成员中应当有妇女成员。"),
    ("p", "（四）开展“最美家庭”和“贤内助”评选活动，引导广大妇女以家庭为重，当好贤妻良母，把主要精力放在照顾老人和教育子女上。"),
    ("p", "（五）加强妇女就业创业服务。组织开展面向农村妇女的电商、家政、手工编织等技能培训，每年培训不少于三百人次，"
          "对妇女创办的小微企业优先推荐申请创业担保贷款。"),
    ("p", "（六）做好妇女孕产期保健服务。镇卫生院为孕产妇免费建立保健档案，提供不少于五次的产前检查和两次产后访视。"),
    ("p", "（七）依法处置家庭暴力。镇派出所、司法所、妇联建立联动机制，对家庭暴力投诉及时出警、及时调处，依法出具告诫书，"
          "协助受害妇女申请人身安全保护令。"),
    ("h", "三、任务分工"),
    ("t", [["序号", "工作任务", "牵头单位", "完成时限"],
           ["1", "村规民约性别平等审查", "镇司法所、镇妇联", "2026年9月底前"],
           ["2", "土地承包确权中妇女权益核查", "镇农业农村办", "2026年12月底前"],
           ["3", "妇女技能培训", "镇社会事务办", "每年11月底前"],
           ["4", "家庭暴力联动处置", "镇派出所", "长期"]]),
    ("h", "四、实施步骤"),
    ("p", "（一）摸底排查阶段（2026年4月至5月）。各村对照本方案，逐条梳理现行村规民约、村民自治章程、集体经济组织章程和各类分配方案，"
          "列出涉及婚姻状况、户籍迁移、性别的条款清单，连同制定时间和表决记录一并报镇妇联。"),
    ("p", "（二）审查修订阶段（2026年6月至9月）。镇司法所会同镇妇联对各村报送的清单逐条审查，出具书面审查意见；各村根据审查意见"
          "拟订修改草案，召开村民会议或者村民代表会议讨论表决，表决结果在村务公开栏公示不少于七日。"),
    ("p", "（三）备案回访阶段（2026年10月至12月）。修订后的村规民约报镇人民政府备案。镇妇联对出嫁、离婚、丧偶妇女开展入户回访，"
          "了解承包地、宅基地和分红落实情况，发现新问题的及时交办相关村整改，并建立问题台账。"),
    ("p", "（四）总结巩固阶段（2027年1月至3月）。各村总结清理修订工作情况，镇里选取做法好的村召开现场会推广经验；对群众反映强烈、"
          "整改进度缓慢的村，由镇纪委开展专项督查，确保各项任务按期完成。"),
    ("p", "各村在实施过程中，要坚持依法、民主、公开的原则，充分听取妇女群众的意见，不得以少数服从多数为由，通过表决剥夺妇女依法享有的权益。"
          "村民会议作出的决定侵害妇女合法权益的，镇人民政府应当依法责令改正。"),
    ("h", "五、保障措施"),
    ("p", "（一）加强组织领导。成立由镇长任组长、分管副镇长任副组长的妇女权益保障工作领导小组，领导小组办公室设在镇妇联，"
          "负责日常协调和督促检查。"),
    ("p", "（二）强化督促检查。镇妇联每半年对各村落实情况进行一次检查，检查结果纳入村级年度工作考核。对整改不力的村，"
          "由镇党委约谈村党组织书记。"),
    ("p", "（三）加大宣传力度。利用村广播、微信群和宣传栏，广泛宣传妇女权益保障法律法规，每年三八妇女节前后集中开展普法宣传周活动。"),
    ("p", "（四）做好经费保障。镇财政每年安排专项工作经费，用于村规民约审查、妇女技能培训和困难妇女帮扶。"),
    ("p", "（五）建立长效机制。把性别平等审查作为村规民约制定和修订的必经程序，镇妇联、司法所每年对村规民约执行情况开展一次评估，"
          "评估结果向镇党委、镇人民政府报告，并在全镇范围内通报。"),
]


def township_plan_docx(path: Path) -> None:
    d = _new_document()
    _header_footer(d, PLAN_HEADER)
    _title(d, PLAN_TITLE)
    for kind, value in PLAN:
        if kind == "h":
            p = d.add_paragraph()
            p.add_run(value).bold = True
        elif kind == "t":
            _table(d, value)
        else:
            _para(d, value)
    # Enough pages for running headers and page numbers to repeat.
    d.add_paragraph()
    _para(d, "附件：各村妇女权益保障工作联络员名单（另发）", indent=False)
    _save_docx(d, path)


def township_plan_pdf(path: Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if exe:
            src = tmp / "plan.docx"
            township_plan_docx(src)
            profile = tmp / "profile"
            subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir",
                            str(tmp), str(src)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
            data = (tmp / "plan.pdf").read_bytes()
            path.write_bytes(_pin_pdf(data))
        else:
            _plan_reportlab(path)


def _pin_pdf(data: bytes) -> bytes:
    """Replace creation dates and the document ID by fixed values of the same length."""
    data = re.sub(rb"D:\d{14}([+\-Z][0-9']*)?", lambda m: b"D:20260301000000" + m.group(0)[16:], data)
    data = re.sub(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]",
                  lambda m: m.group(0).replace(m.group(1), b"0" * len(m.group(1))).replace(m.group(2), b"0" * len(m.group(2))),
                  data)
    data = re.sub(rb"<xmp:(CreateDate|ModifyDate|MetadataDate)>[^<]*</xmp:\1>",
                  lambda m: _same_len_date(m.group(0)), data)
    data = re.sub(rb"/DocChecksum\s*/([0-9A-Fa-f]+)", lambda m: m.group(0).replace(m.group(1), b"0" * len(m.group(1))), data)
    data = re.sub(rb"uuid:[0-9a-fA-F-]{36}", b"uuid:00000000-0000-0000-0000-000000000000", data)
    return data


def _same_len_date(tag: bytes) -> bytes:
    open_end = tag.index(b">") + 1
    close_start = tag.rindex(b"</")
    inner = tag[open_end:close_start]
    fixed = b"2026-03-01T00:00:00" + b"0" * max(0, len(inner) - 19)
    return tag[:open_end] + fixed[: len(inner)] + tag[close_start:]


def _plan_reportlab(path: Path) -> None:
    """Fallback without LibreOffice: the same plan drawn with reportlab (STSong-Light)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    W, H = A4
    left, right, top, bottom, size = 90.0, W - 90.0, H - 100.0, 90.0, 14.0
    lead = size * 1.7
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    page = [1]
    y = [top]

    def frame():
        c.setFont(font, 9)
        c.drawCentredString(W / 2, H - 55, PLAN_HEADER)
        c.line(left, H - 62, right, H - 62)
        c.setFont(font, 10)
        c.drawCentredString(W / 2, 45, f"— {page[0]} —")

    def newline():
        y[0] -= lead
        if y[0] < bottom:
            c.showPage()
            page[0] += 1
            y[0] = top
            frame()

    frame()
    c.setFont(font, 20)
    c.drawCentredString(W / 2, y[0], PLAN_TITLE)
    y[0] -= lead
    newline()
    for kind, value in PLAN:
        if kind == "t":
            cw = (right - left) / len(value[0])
            for row in value:
                c.setFont(font, 10)
                for k, v in enumerate(row):
                    c.drawString(left + k * cw + 3, y[0], v)
                    c.rect(left + k * cw, y[0] - 6, cw, lead)
                newline()
            continue
        indent = 0.0 if kind == "h" else size * 2
        line, width = "", indent
        c.setFont(font, size)
        for ch in value:
            w = stringWidth(ch, font, size)
            if line and width + w > right - left:
                c.drawString(left + indent, y[0], line)
                newline()
                line, width, indent = "", 0.0, 0.0
                c.setFont(font, size)
            line += ch
            width += w
        c.drawString(left + indent, y[0], line)
        newline()
    c.showPage()
    c.save()


# ---------------------------------------------------------------------------------------------
# (4) Cooperative charter, GBK text

CHARTER = """某村股份经济合作社章程

第一章 总则

第一条 为规范本社的组织和行为，保护本社及其成员的合法权益，根据《中华人民共和国农村集体经济组织法》等法律法规，制定本章程。
第二条 本社是在农村集体产权制度改革基础上设立的集体经济组织，依法代表本村成员集体行使集体财产所有权。
第三条 本社实行民主管理，成员地位平等，重大事项由成员大会或者成员代表大会决定。

第二章 成员

第四条 户籍在本村、与本村集体形成稳定权利义务关系、以本集体土地为基本生活保障的居民，经成员大会确认，为本社成员。
第五条 本社女性成员与外村人员结婚的，自结婚登记之日起丧失本社成员资格，已配置的股份由本社收回，不再参与收益分配。
第六条 成员有下列情形之一的，其成员身份不受影响：
（一）在校就读的学生；
（二）依法服兵役的；
（三）因犯罪被判处刑罚正在服刑的。
第七条 男方到女方家落户的，本人及其子女须在本村连续居住满十年，并交纳入社费每人三万元后，方可申请成为本社成员。

第三章 股权设置与管理

第八条 本社股权设置为人口股和农龄股，人口股按确认之日的在册成员每人一股配置，农龄股按成员在本村从事农业生产的年限配置。
第九条 股权实行静态管理，“生不增、死不减、进不增、出不减”，股权可以在本社成员之间依法转让、继承。
第十条 离婚后仍在本村居住的妇女，其人口股按百分之五十计算；离婚后再婚的，人口股由本社收回。
第十一条 以户为单位向成员发放股权证书，户主由户内男性成员担任；户内只有女性成员的，由其近亲属中的男性代为登记。

第四章 组织机构

第十二条 成员代表大会由成员代表组成，每十五户推选一名代表，成员代表中妇女代表应当占一定比例。
第十三条 理事会由五名理事组成，负责本社日常经营管理；监事会由三名监事组成，负责监督本社财务和理事会工作。

第五章 财务管理与收益分配

第十四条 本社执行农村集体经济组织财务会计制度，每季度向全体成员公开一次财务收支情况。
第十五条 本社年度可分配收益在提取公积公益金后，按股份分配给成员，分配方案经成员代表大会通过后实施。
第十六条 本社资产不得用于为他人提供担保，不得违规出借给非成员单位和个人。

第六章 附则

第十七条 本章程经成员大会表决通过后，报镇人民政府备案后生效。
第十八条 本章程由本社理事会负责解释。
"""


def charter_txt(path: Path) -> None:
    path.write_bytes(CHARTER.replace("\n", "\r\n").encode("gbk"))


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    out.mkdir(parents=True, exist_ok=True)
    village_rules(out / VILLAGE_DOCX)
    employment_policy(out / POLICY_DOCX)
    township_plan_pdf(out / PLAN_PDF)
    charter_txt(out / CHARTER_TXT)
    for name in (VILLAGE_DOCX, POLICY_DOCX, PLAN_PDF, CHARTER_TXT):
        print(f"{out / name}  {(out / name).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
