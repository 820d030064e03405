from assess.findings import Finding, LegalBasis, Location, merge_same_clause


def finding(rule, category, severity, score, start, end, key):
    return Finding(
        rule=rule, source="rule", category=category, severity=severity, score=score, text="第十一条 户主由男性担任。",
        match="x", location=Location("第十一条", start, end, clause_start=0, clause_end=13), message="m",
        legal_basis=[LegalBasis("法", "第一条", "s", key=key)],
    )


def test_same_clause_same_category_merged_keeping_the_strongest():
    a = finding("PP002", "political_participation", "medium", 0.9, 5, 9, "a#1")
    b = finding("PP004", "political_participation", "high", 0.7, 5, 6, "b#2")
    c = finding("FA013", "family", "medium", 0.8, 5, 9, "c#3")
    out = merge_same_clause([a, b, c])
    assert sorted(f.rule for f in out) == ["FA013", "PP004"]
    kept = next(f for f in out if f.rule == "PP004")
    assert kept.explanation["related_rules"][0]["rule"] == "PP002"
    assert [lb.key for lb in kept.legal_basis] == ["b#2", "a#1"]


def test_rule_code_names_related_rules():
    from assess.reports.opinion import rule_code

    a = finding("CR019", "collective_rights", "high", 0.9, 5, 9, "a#1")
    b = finding("CR021", "collective_rights", "high", 0.8, 5, 9, "a#1")
    (kept,) = merge_same_clause([a, b])
    assert rule_code(kept) == "CR019（另见 CR021）"
    assert len(kept.legal_basis) == 1
