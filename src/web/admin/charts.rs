//! Charts drawn by the server: plain data with coordinates, turned into SVG
//! by the analytics template (askama escapes every label), so the browser
//! needs no chart library.

/// Width of the bar area, in SVG units.
const BAR_AREA: f64 = 480.0;
/// Where bars start (labels sit to their left).
pub const BAR_X: u32 = 300;
/// Room right of the bars for the value text.
const VALUE_ROOM: u32 = 240;
const ROW: u32 = 28;

/// One horizontal bar, with an optional darker part and a band behind it.
pub struct Bar {
    pub y: u32,
    pub text_y: u32,
    pub label: String,
    pub width: u32,
    /// The darker part from the start (drop-off in the funnel).
    pub part_width: u32,
    pub value: String,
    pub value_x: u32,
    /// The healthy band behind the bar, as (x, width); None for no band.
    pub band: Option<(u32, u32)>,
}

pub struct BarChart {
    pub width: u32,
    pub height: u32,
    pub bars: Vec<Bar>,
    pub title: String,
}

fn scaled(value: f64, max: f64) -> u32 {
    if max <= 0.0 { 0 } else { (value / max * BAR_AREA).round().clamp(0.0, BAR_AREA) as u32 }
}

/// A row of the chart: label, value (scaled to `max`), darker part, band in the same units.
pub struct Row {
    pub label: String,
    pub value: f64,
    pub part: f64,
    pub text: String,
    pub band: Option<(f64, f64)>,
}

pub fn bar_chart(title: &str, rows: Vec<Row>, max: f64) -> BarChart {
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let y = 8 + i as u32 * ROW;
            let width = scaled(row.value, max);
            Bar {
                y,
                text_y: y + 15,
                label: shorten(&row.label, 44),
                width,
                part_width: scaled(row.part, max).min(width),
                value_x: BAR_X + width + 6,
                value: row.text,
                band: row
                    .band
                    .map(|(low, high)| (BAR_X + scaled(low, max), scaled(high, max).saturating_sub(scaled(low, max)))),
            }
        })
        .collect::<Vec<_>>();
    BarChart {
        width: BAR_X + BAR_AREA as u32 + VALUE_ROOM,
        height: 16 + bars.len() as u32 * ROW,
        bars,
        title: title.to_string(),
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_bands_sit_behind() {
        let rows = vec![
            Row { label: "a".into(), value: 10.0, part: 5.0, text: "10".into(), band: None },
            Row { label: "b".into(), value: 20.0, part: 0.0, text: "20".into(), band: Some((5.0, 10.0)) },
        ];
        let chart = bar_chart("t", rows, 20.0);
        assert_eq!(chart.bars[0].width, 240);
        assert_eq!(chart.bars[0].part_width, 120);
        assert_eq!(chart.bars[1].width, 480);
        assert_eq!(chart.bars[1].band, Some((BAR_X + 120, 120)));
    }
}
