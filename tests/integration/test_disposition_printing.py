"""The 销毁清册, 销毁证明 and 鉴定记录 as printed (R44): read back from the PDFs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.errors import DispositionRefused
from app.services import disposition as D
from app.services.disposition import printing
from tests.disposition_helpers import (
    appraise_for_destruction,
    carry_out,
    decide,
    expired_volume,
    new_customer,
    open_appraisal,
)
from tests.loan_helpers import Desk
from tests.pdf_text import page_texts

SHOTS = os.environ.get("ARCHIVE_SCREENSHOTS")  # a folder: the PDFs are written there too


def flat(text: str) -> str:
    return "".join(text.split())


def _keep(name: str, data: bytes) -> None:
    if SHOTS:
        Path(SHOTS, name).write_bytes(data)


def test_the_list_prints_cover_rows_headings_on_every_page_and_named_signatures(
    desk: Desk,
) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    ids = []
    for n in range(60):
        vid, _ = expired_volume(
            lisi,
            clock,
            customer_id=c,
            year=2005 + n % 6,
            title=f"第{n + 1:02d}号购销合同卷",
            level="confidential" if n == 0 else None,
            items=1,
        )
        ids.append(vid)
    appraise_for_destruction(lisi, clock, [desk.ids["zhao"], desk.ids["both"]], ids)
    ref = D.compile_list(session=lisi, volume_ids=ids, clock=clock)
    assert D.submit_list(session=lisi, list_id=ref.id, clock=clock) == ["客服部经理", "总经理"]
    with pytest.raises(DispositionRefused):  # no certificate before the destruction
        printing.certificate_pdf(session=lisi, list_id=ref.id, clock=clock)
    for who in ("manager", "gm"):
        D.approve_list(session=desk(who), list_id=ref.id, opinion="同意销毁", clock=clock)
    carry_out(lisi, clock, ref.id)
    data = printing.destruction_list_pdf(session=lisi, list_id=ref.id, clock=clock)
    _keep("destruction-list.pdf", data)
    texts = page_texts(data)
    assert len(texts) >= 3  # the cover, then rows over more than one page
    cover = flat(texts[0])
    for expected in (
        "档案销毁清册",
        "清册编号XH2026-0001",
        "数量60卷",
        "鉴定负责人赵敏",
        "鉴定日期2026-01-05（JD2026-0001）",
        "批准人（客服部经理）：刘芳2026-01-05",
        "批准人（总经理）：周总2026-01-05",
        "监销人赵敏、钱部长",
        "销毁日期2026-01-05",
        "销毁地点公司碎纸室",
        "销毁方式粉碎",
        "机密",  # the page's secrecy mark (one volume is 机密)
    ):
        assert expected in cover, expected
    total = len(texts)
    for n, text in enumerate(texts, start=1):
        t = flat(text)
        assert f"第{n}页/共{total}页" in t
        assert "清册编号：XH2026-0001" in t  # the block under the header, every page
        if n > 1 and "合计" not in t and "签字" not in t:
            assert "序号档号题名起止日期密级数量应保管期限已保管期限销毁原因备注" in t
    body = flat("".join(texts[1:]))
    assert "第01号购销合同卷" in body and "第60号购销合同卷" in body
    assert "定期10年" in body and "保管期满，经鉴定已失去保存价值" in body
    last = flat(texts[-1])
    for who in ("编制人：李四", "鉴定人：赵敏", "鉴定人：郑双", "监销人：钱部长"):
        assert who in last, who

    cert = printing.certificate_pdf(session=lisi, list_id=ref.id, clock=clock)
    _keep("destruction-certificate.pdf", cert)
    text = flat("".join(page_texts(cert)))
    assert "档案销毁证明" in text and "XH2026-0001（共60卷" in text
    assert "以“粉碎”方式销毁" in text and "监销人赵敏、钱部长在场监督" in text
    printing.record_disposition_output(
        session=lisi, form="destruction_list", object_id=ref.id, kind="print", clock=clock
    )


def test_the_appraisal_record_prints_each_decision(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    a, code_a = expired_volume(lisi, clock, customer_id=c, year=2010)
    b, code_b = expired_volume(lisi, clock, customer_id=c, year=2011)
    ref = open_appraisal(lisi, clock, [desk.ids["zhao"], desk.ids["both"]])
    decide(lisi, clock, ref.id, a, "destroy")
    decide(lisi, clock, ref.id, b, "extend", new_until=2030, reason="诉讼未结")
    data = printing.appraisal_record_pdf(session=lisi, appraisal_id=ref.id, clock=clock)
    _keep("appraisal-record.pdf", data)
    text = flat("".join(page_texts(data)))
    assert "档案鉴定记录" in text and "鉴定编号JD2026-0001" in text
    assert "鉴定负责人赵敏" in text and "鉴定人赵敏、郑双" in text
    assert code_a.replace(" ", "") in text and code_b.replace(" ", "") in text
    assert "销毁" in text and "延长至2030年：诉讼未结" in text
