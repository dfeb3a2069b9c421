//! A scale's history as a small chart, drawn on the server as SVG. It is
//! readable without colour: every point carries its score as text, a lower
//! bound is drawn hollow and marked "≥", and the chart's description lists
//! each date and score for screen readers.

use crate::app::assessments::case_assessments::{ScaleHistory, ScorePoint};
use std::fmt::Write as _;

const WIDTH: i64 = 320;
const HEIGHT: i64 = 130;
/// Room at the left and right, and above and below the plot.
const SIDE: i64 = 28;
const TOP: i64 = 22;
const BOTTOM: i64 = 28;

/// Text as SVG (XML) takes it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn date(p: &ScorePoint) -> String {
    p.on.format("%-d %b %Y").to_string()
}

fn score(p: &ScorePoint) -> String {
    if p.complete {
        p.score.to_string()
    } else {
        format!("≥{}", p.score)
    }
}

/// Where each point falls: by its date across, by its score up.
fn positions(points: &[ScorePoint]) -> Vec<(i64, i64)> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let span = (last.on - first.on).num_days().max(1);
    let top = points.iter().map(|p| p.score).max().unwrap_or(0).max(1);
    let (wide, high) = (WIDTH - 2 * SIDE, HEIGHT - TOP - BOTTOM);
    points
        .iter()
        .map(|p| {
            let x = if points.len() == 1 {
                WIDTH / 2
            } else {
                SIDE + (p.on - first.on).num_days() * wide / span
            };
            let y = TOP + high - p.score.clamp(0, top) * high / top;
            (x, y)
        })
        .collect()
}

/// The chart of one scale's history, an `<svg>` element whose text is escaped.
pub fn scale_chart(h: &ScaleHistory, id: usize) -> String {
    let title = format!("{}: {}", h.instrument, h.scale);
    let described: Vec<String> = h
        .points
        .iter()
        .map(|p| format!("{} {}", date(p), score(p)))
        .collect();
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="chart-{id}-title chart-{id}-desc"><title id="chart-{id}-title">{}</title><desc id="chart-{id}-desc">{}</desc>"#,
        escaped(&title),
        escaped(&described.join("; "))
    );
    let base = HEIGHT - BOTTOM;
    let _ = write!(
        svg,
        r#"<line x1="{SIDE}" y1="{base}" x2="{}" y2="{base}" class="axis"/>"#,
        WIDTH - SIDE
    );
    let at = positions(&h.points);
    if at.len() > 1 {
        let line: Vec<String> = at.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let _ = write!(
            svg,
            r#"<polyline points="{}" class="line"/>"#,
            line.join(" ")
        );
    }
    for (p, (x, y)) in h.points.iter().zip(&at) {
        let fill = if p.complete { "point" } else { "point hollow" };
        let _ = write!(
            svg,
            r#"<circle cx="{x}" cy="{y}" r="4" class="{fill}"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"#,
            y - 8,
            escaped(&score(p))
        );
    }
    if let (Some(first), Some(last)) = (h.points.first(), h.points.last()) {
        let _ = write!(
            svg,
            r#"<text x="{SIDE}" y="{}" text-anchor="start">{}</text>"#,
            HEIGHT - 8,
            escaped(&date(first))
        );
        if h.points.len() > 1 {
            let _ = write!(
                svg,
                r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
                WIDTH - SIDE,
                HEIGHT - 8,
                escaped(&date(last))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(on: &str, score: i64, complete: bool) -> ScorePoint {
        ScorePoint {
            on: on.parse().unwrap(),
            score,
            complete,
        }
    }

    #[test]
    fn every_point_is_labelled_and_described_and_text_is_escaped() {
        let h = ScaleHistory {
            instrument: "Screener <A&B>".into(),
            scale: "Total".into(),
            points: vec![point("2026-01-05", 4, true), point("2026-07-01", 9, false)],
        };
        let svg = scale_chart(&h, 3);
        assert!(svg.contains("<title id=\"chart-3-title\">Screener &lt;A&amp;B&gt;: Total</title>"));
        assert!(svg.contains("5 Jan 2026 4; 1 Jul 2026 ≥9"), "{svg}");
        assert!(svg.contains(">≥9</text>") && svg.contains(">4</text>"));
        assert!(
            svg.contains("point hollow"),
            "a lower bound is drawn hollow"
        );
        // The higher score is drawn higher (a smaller y) and later (a larger x).
        let at = positions(&h.points);
        assert!(at[1].1 < at[0].1 && at[1].0 > at[0].0);
    }
}
