//! `period.csv`: one row per control and what it rests on, for a spreadsheet. A control
//! that held throughout is one row; each exception and each span not observed is a row
//! of its own, with its dates.

use super::controls::when;
use super::pack::PeriodPack;

pub fn render(pack: &PeriodPack) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "period",
        "framework",
        "control",
        "title",
        "verdict",
        "kind",
        "rule_id",
        "resource",
        "from",
        "to",
    ])?;
    for fw in &pack.frameworks {
        for c in &fw.controls {
            let row = |kind: &str, rule: &str, resource: &str, from: String, to: String| {
                [
                    pack.label.clone(),
                    fw.id.clone(),
                    c.id.clone(),
                    c.title.clone(),
                    c.verdict.words().to_string(),
                    kind.to_string(),
                    rule.to_string(),
                    resource.to_string(),
                    from,
                    to,
                ]
                .map(|cell| crate::report::csv::neutralise(&cell).into_owned())
            };
            let span = (when(pack.period.from), when(pack.period.to));
            if c.exceptions.is_empty() && c.not_observed.is_empty() {
                w.write_record(row("period", "", "", span.0, span.1))?;
            }
            for e in &c.exceptions {
                w.write_record(row(
                    "exception",
                    &e.rule_id,
                    &e.resource,
                    when(e.span.from),
                    when(e.span.to),
                ))?;
            }
            for s in &c.not_observed {
                w.write_record(row("not_observed", "", "", when(s.from), when(s.to)))?;
            }
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
