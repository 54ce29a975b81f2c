//! Charts: bar, floating-bar (waterfall), stacked-bar and line charts rendered to SVG and PNG.
//!
//! This module owns every use of plotters and nothing else: callers hand it plain data (labels
//! and numbers already computed by the engines) and get back SVG text or PNG bytes. It embeds
//! the DejaVu Sans font and registers it once, so charts render on a machine with no system
//! fonts (plotters is built without its `ttf` feature, so no fontconfig/freetype is needed).
//! Output is deterministic: same data, same bytes.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::sync::OnceLock;

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    /// The embedded font could not be registered.
    #[error("cannot register the embedded font: {0}")]
    Font(String),
    /// Drawing failed.
    #[error("cannot draw the chart: {0}")]
    Draw(String),
    /// Encoding the PNG failed.
    #[error("cannot encode the PNG: {0}")]
    Png(String),
    /// Nothing to draw.
    #[error("the chart has no data")]
    Empty,
}

/// Font family name the charts use.
const FONT: &str = "sans-serif";
/// Bar colour.
const BLUE: RGBColor = RGBColor(70, 120, 180);
/// Highlighted bar colour (a bottleneck, a binding link).
const RED: RGBColor = RGBColor(200, 50, 45);
/// Series colours of stacked charts.
const SERIES: [RGBColor; 6] = [
    RGBColor(70, 120, 180),
    RGBColor(240, 150, 40),
    RGBColor(80, 160, 90),
    RGBColor(200, 50, 45),
    RGBColor(140, 100, 180),
    RGBColor(130, 130, 130),
];

fn register() -> Result<(), ChartError> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            let bytes = match style {
                FontStyle::Bold => dejavu::sans::bold(),
                _ => dejavu::sans::regular(),
            };
            // register_font's error type has neither Debug nor Display.
            plotters::style::register_font(FONT, style, bytes)
                .map_err(|_| "DejaVu Sans is not a valid font".to_string())?;
        }
        Ok(())
    })
    .clone()
    .map_err(ChartError::Font)
}

fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// One bar: a category label and the span it covers (a plain bar runs from 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Category label on the axis.
    pub label: String,
    /// Where the bar starts (0 for a plain bar; the previous level for a waterfall step).
    pub from: f64,
    /// Where it ends.
    pub to: f64,
    /// Drawn in the highlight colour (a bottleneck).
    pub highlight: bool,
    /// Text printed at the end of the bar.
    pub value_label: String,
}

/// A bar chart, vertical or horizontal.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Title.
    pub title: String,
    /// Category-axis description.
    pub category_desc: String,
    /// Value-axis description, with its unit.
    pub value_desc: String,
    /// The bars, in order.
    pub bars: Vec<Bar>,
    /// Bars run left to right with categories down the side (for many or long labels).
    pub horizontal: bool,
    /// A legend line under the title explaining the highlight colour, if any bar uses it.
    pub highlight_meaning: String,
}

/// Stacked bars: one bar per category, one segment per series.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedChart {
    /// Title.
    pub title: String,
    /// Category-axis description.
    pub category_desc: String,
    /// Value-axis description, with its unit.
    pub value_desc: String,
    /// Category labels.
    pub categories: Vec<String>,
    /// Series: name and one value per category.
    pub series: Vec<(String, Vec<f64>)>,
}

/// Lines over categories: one line per series, a marker at each category.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Title.
    pub title: String,
    /// Category-axis description.
    pub category_desc: String,
    /// Value-axis description, with its unit.
    pub value_desc: String,
    /// Category labels (blank ones are not printed).
    pub categories: Vec<String>,
    /// Series: name and one value per category.
    pub series: Vec<(String, Vec<f64>)>,
}

/// Chart size in pixels for a bar chart.
fn size_of(c: &BarChart) -> (u32, u32) {
    if c.horizontal {
        (1000, (140 + 22 * c.bars.len() as u32).max(360))
    } else {
        (vertical_width(c.bars.iter().map(|b| b.label.as_str())), 520)
    }
}

/// Width of a chart with one column per label: 900 px, or wider when the labels at 14 px
/// (about 7 px a character, plus a gap) would not fit side by side under their columns.
fn vertical_width<'a>(labels: impl Iterator<Item = &'a str>) -> u32 {
    let (mut n, mut longest) = (0u32, 0u32);
    for l in labels {
        n += 1;
        longest = longest.max(l.chars().count() as u32);
    }
    // The plot area is the width less the margins and the value axis (about 130 px).
    (130 + n.saturating_mul(longest.saturating_mul(7) + 12)).clamp(900, 4000)
}

/// Axis tick text: no needless decimals, thousands separated.
fn tick(v: f64) -> String {
    if v.abs() >= 1000.0 {
        let s = format!("{:.0}", v.abs());
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
        if v < 0.0 { format!("-{out}") } else { out }
    } else if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn value_range(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let lo = lo.min(0.0);
    let hi = if hi <= lo { lo + 1.0 } else { hi };
    lo..hi + (hi - lo) * 0.12
}

/// A vertical chart's frame: categories along the bottom, values up the side.
type Vertical<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<SegmentedCoord<RangedCoordi32>, RangedCoordf64>>;

/// Builds and draws the frame of a vertical chart of `labels` over `range`.
fn vertical_frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    labels: &[String],
    range: std::ops::Range<f64>,
    category_desc: &str,
    value_desc: &str,
) -> Result<Vertical<'a, DB>, ChartError>
where
    DB::ErrorType: 'static,
{
    let n = labels.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 22).into_font().style(FontStyle::Bold))
        .margin(16)
        .x_label_area_size(64)
        .y_label_area_size(80)
        .build_cartesian_2d((0..n as i32 - 1).into_segmented(), range)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| tick(*v))
        .light_line_style(WHITE)
        .x_desc(category_desc)
        .y_desc(value_desc)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .draw()
        .map_err(draw_err)?;
    Ok(chart)
}

fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &BarChart,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).map_err(draw_err)?;
    let n = c.bars.len();
    let lo = c.bars.iter().map(|b| b.from.min(b.to)).fold(0.0, f64::min);
    let hi = c.bars.iter().map(|b| b.from.max(b.to)).fold(0.0, f64::max);
    let range = value_range(lo, hi);
    let any_highlight = c.bars.iter().any(|b| b.highlight);
    let caption = c.title.clone();
    let label_of = |i: usize| c.bars.get(i).map_or(String::new(), |b| b.label.clone());
    let text = (FONT, 14).into_font();
    if c.horizontal {
        // At least two rows: a segmented axis over one value has no height, and its one bar
        // would be drawn with a negative height (nothing shows, and browsers log an error).
        let rows = n.max(2);
        let longest = c
            .bars
            .iter()
            .map(|b| b.label.chars().count())
            .max()
            .unwrap_or(4) as u32;
        let mut chart = ChartBuilder::on(area)
            .caption(&caption, (FONT, 22).into_font().style(FontStyle::Bold))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size((longest * 8 + 16).min(420))
            .build_cartesian_2d(
                value_range(lo, hi * 1.25),
                (0..rows as i32 - 1).into_segmented(),
            )
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => (rows - 1)
                    .checked_sub(*i as usize)
                    .map_or(String::new(), label_of),
                _ => String::new(),
            })
            .x_label_formatter(&|v| tick(*v))
            .light_line_style(WHITE)
            .x_desc(&c.value_desc)
            .y_desc(&c.category_desc)
            .label_style(text.clone())
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(draw_err)?;
        for (k, b) in c.bars.iter().enumerate() {
            // The first bar is drawn at the top.
            let i = rows - 1 - k;
            let color = if b.highlight { RED } else { BLUE };
            let y0 = SegmentValue::Exact(i as i32);
            let y1 = SegmentValue::Exact(i as i32 + 1);
            let mut rect = Rectangle::new([(b.from, y0), (b.to, y1)], color.filled());
            rect.set_margin(3, 3, 0, 0);
            chart.draw_series(std::iter::once(rect)).map_err(draw_err)?;
            let end = b.from.max(b.to);
            chart
                .draw_series(std::iter::once(Text::new(
                    format!(" {}", b.value_label),
                    (end, SegmentValue::CenterOf(i as i32)),
                    TextStyle::from(text.clone()).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Center,
                    )),
                )))
                .map_err(draw_err)?;
        }
    } else {
        let labels: Vec<String> = c.bars.iter().map(|b| b.label.clone()).collect();
        let mut chart = vertical_frame(
            area,
            &caption,
            &labels,
            range.clone(),
            &c.category_desc,
            &c.value_desc,
        )?;
        for (i, b) in c.bars.iter().enumerate() {
            let color = if b.highlight { RED } else { BLUE };
            let mut rect = Rectangle::new(
                [
                    (SegmentValue::Exact(i as i32), b.from),
                    (SegmentValue::Exact(i as i32 + 1), b.to),
                ],
                color.filled(),
            );
            rect.set_margin(0, 0, 12, 12);
            chart.draw_series(std::iter::once(rect)).map_err(draw_err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    b.value_label.clone(),
                    (SegmentValue::CenterOf(i as i32), b.from.max(b.to)),
                    TextStyle::from(text.clone()).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Bottom,
                    )),
                )))
                .map_err(draw_err)?;
        }
    }
    if any_highlight && !c.highlight_meaning.is_empty() {
        // Legend in the bottom-left corner, clear of the plot.
        let (_, h) = area.dim_in_pixel();
        let y = h as i32 - 22;
        area.draw(&Rectangle::new([(16, y), (30, y + 14)], RED.filled()))
            .map_err(draw_err)?;
        area.draw(&Text::new(c.highlight_meaning.clone(), (36, y), (FONT, 14)))
            .map_err(draw_err)?;
    }
    area.present().map_err(draw_err)
}

fn draw_stacked<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &StackedChart,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).map_err(draw_err)?;
    let n = c.categories.len();
    let totals: Vec<f64> = (0..n)
        .map(|i| {
            c.series
                .iter()
                .map(|(_, v)| v.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let hi = totals.iter().copied().fold(0.0, f64::max);
    let mut chart = vertical_frame(
        area,
        &c.title,
        &c.categories,
        value_range(0.0, hi * 1.25),
        &c.category_desc,
        &c.value_desc,
    )?;
    let mut base = vec![0.0; n];
    for (k, (name, values)) in c.series.iter().enumerate() {
        let color = SERIES[k % SERIES.len()];
        let rects: Vec<Rectangle<(SegmentValue<i32>, f64)>> = (0..n)
            .map(|i| {
                let v = values.get(i).copied().unwrap_or(0.0);
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(i as i32), base[i]),
                        (SegmentValue::Exact(i as i32 + 1), base[i] + v),
                    ],
                    color.filled(),
                );
                r.set_margin(0, 0, 12, 12);
                base[i] += v;
                r
            })
            .collect();
        chart
            .draw_series(rects)
            .map_err(draw_err)?
            .label(name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], color.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(draw_err)?;
    area.present().map_err(draw_err)
}

fn draw_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &LineChart,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).map_err(draw_err)?;
    let hi = c
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let mut chart = vertical_frame(
        area,
        &c.title,
        &c.categories,
        value_range(0.0, hi * 1.1),
        &c.category_desc,
        &c.value_desc,
    )?;
    for (k, (name, values)) in c.series.iter().enumerate() {
        let color = SERIES[k % SERIES.len()];
        let points: Vec<(SegmentValue<i32>, f64)> = values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, v)| (SegmentValue::CenterOf(i as i32), *v))
            .collect();
        chart
            .draw_series(
                points.windows(2).map(|w| {
                    PathElement::new(vec![w[0].clone(), w[1].clone()], color.stroke_width(3))
                }),
            )
            .map_err(draw_err)?
            .label(name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(3))
            });
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 4, color.filled())),
            )
            .map_err(draw_err)?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(draw_err)?;
    area.present().map_err(draw_err)
}

fn svg_with(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    register()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root)?;
    }
    Ok(out)
}

fn png_with(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), ChartError>,
) -> Result<Vec<u8>, ChartError> {
    register()?;
    let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        draw(&root)?;
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image_ok(&pixels, size)
        .map_err(|e| ChartError::Png(e.to_string()))?;
    Ok(png)
}

/// Helper trait so the PNG encoding reads in one line.
trait WriteImage {
    fn write_image_ok(self, pixels: &[u8], size: (u32, u32)) -> image::ImageResult<()>;
}

impl<W: std::io::Write> WriteImage for image::codecs::png::PngEncoder<W> {
    fn write_image_ok(self, pixels: &[u8], size: (u32, u32)) -> image::ImageResult<()> {
        use image::ImageEncoder;
        self.write_image(pixels, size.0, size.1, image::ExtendedColorType::Rgb8)
    }
}

/// A bar chart as SVG text.
pub(crate) fn bars_svg(c: &BarChart) -> Result<String, ChartError> {
    if c.bars.is_empty() {
        return Err(ChartError::Empty);
    }
    svg_with(size_of(c), |a| draw_bars(a, c))
}

/// A bar chart as PNG bytes.
pub(crate) fn bars_png(c: &BarChart) -> Result<Vec<u8>, ChartError> {
    if c.bars.is_empty() {
        return Err(ChartError::Empty);
    }
    png_with(size_of(c), |a| draw_bars(a, c))
}

/// A stacked chart as SVG text.
pub(crate) fn stacked_svg(c: &StackedChart) -> Result<String, ChartError> {
    if c.categories.is_empty() {
        return Err(ChartError::Empty);
    }
    let width = vertical_width(c.categories.iter().map(String::as_str));
    svg_with((width, 520), |a| draw_stacked(a, c))
}

/// A stacked chart as PNG bytes.
pub(crate) fn stacked_png(c: &StackedChart) -> Result<Vec<u8>, ChartError> {
    if c.categories.is_empty() {
        return Err(ChartError::Empty);
    }
    let width = vertical_width(c.categories.iter().map(String::as_str));
    png_with((width, 520), |a| draw_stacked(a, c))
}

/// A line chart as SVG text.
pub(crate) fn lines_svg(c: &LineChart) -> Result<String, ChartError> {
    if c.categories.is_empty() {
        return Err(ChartError::Empty);
    }
    svg_with((900, 520), |a| draw_lines(a, c))
}

/// A line chart as PNG bytes.
pub(crate) fn lines_png(c: &LineChart) -> Result<Vec<u8>, ChartError> {
    if c.categories.is_empty() {
        return Err(ChartError::Empty);
    }
    png_with((900, 520), |a| draw_lines(a, c))
}

/// A scatter chart: points of two values, some highlighted, the value axis logarithmic.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterChart {
    /// Title.
    pub title: String,
    /// Horizontal axis description, with its unit.
    pub x_desc: String,
    /// Vertical (logarithmic) axis description, with its unit.
    pub y_desc: String,
    /// Points drawn plain.
    pub points: Vec<(f64, f64)>,
    /// Points drawn highlighted.
    pub highlight: Vec<(f64, f64)>,
    /// Legend name of the highlighted points.
    pub highlight_name: String,
    /// Legend name of the plain points.
    pub rest_name: String,
}

fn draw_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &ScatterChart,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE).map_err(draw_err)?;
    let ok = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite() && p.1 > 0.0;
    let all: Vec<(f64, f64)> = c
        .points
        .iter()
        .chain(&c.highlight)
        .filter(ok)
        .copied()
        .collect();
    let (x_lo, x_hi) = all
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    let (y_lo, y_hi) = all
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let pad = ((x_hi - x_lo) * 0.08).max(x_hi.abs() * 0.02).max(1e-9);
    let mut chart = ChartBuilder::on(area)
        .caption(&c.title, (FONT, 20).into_font().style(FontStyle::Bold))
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(90)
        .build_cartesian_2d(
            (x_lo - pad)..(x_hi + pad),
            (y_lo / 3.0..y_hi * 3.0).log_scale(),
        )
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| {
            if (0.01..1e5).contains(v) {
                tick(*v)
            } else {
                format!("{v:.0e}")
            }
        })
        .light_line_style(WHITE)
        .x_desc(c.x_desc.as_str())
        .y_desc(c.y_desc.as_str())
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .draw()
        .map_err(draw_err)?;
    let grey = RGBColor(150, 150, 150);
    chart
        .draw_series(
            c.points
                .iter()
                .filter(ok)
                .map(|p| Circle::new(*p, 3, grey.filled())),
        )
        .map_err(draw_err)?
        .label(c.rest_name.clone())
        .legend(move |(x, y)| Circle::new((x + 8, y), 3, grey.filled()));
    let front: Vec<(f64, f64)> = c.highlight.iter().filter(ok).copied().collect();
    chart
        .draw_series(front.into_iter().map(|p| Circle::new(p, 5, RED.filled())))
        .map_err(draw_err)?
        .label(c.highlight_name.clone())
        .legend(move |(x, y)| Circle::new((x + 8, y), 5, RED.filled()));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(draw_err)?;
    area.present().map_err(draw_err)
}

fn scatter_points(c: &ScatterChart) -> bool {
    c.points
        .iter()
        .chain(&c.highlight)
        .any(|p| p.0.is_finite() && p.1.is_finite() && p.1 > 0.0)
}

/// A scatter chart as SVG text.
pub(crate) fn scatter_svg(c: &ScatterChart) -> Result<String, ChartError> {
    if !scatter_points(c) {
        return Err(ChartError::Empty);
    }
    svg_with((900, 560), |a| draw_scatter(a, c))
}

/// A scatter chart as PNG bytes.
pub(crate) fn scatter_png(c: &ScatterChart) -> Result<Vec<u8>, ChartError> {
    if !scatter_points(c) {
        return Err(ChartError::Empty);
    }
    png_with((900, 560), |a| draw_scatter(a, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BarChart {
        BarChart {
            title: "Capacity, raw to usable".into(),
            category_desc: "stage".into(),
            value_desc: "TB (10^12 B)".into(),
            bars: vec![
                Bar {
                    label: "raw".into(),
                    from: 0.0,
                    to: 135.0,
                    highlight: false,
                    value_label: "135".into(),
                },
                Bar {
                    label: "parity".into(),
                    from: 135.0,
                    to: 117.0,
                    highlight: true,
                    value_label: "−18".into(),
                },
            ],
            horizontal: false,
            highlight_meaning: "bottleneck".into(),
        }
    }

    #[test]
    fn charts_render_without_system_fonts_and_deterministically() {
        let a = bars_svg(&sample()).unwrap();
        let b = bars_svg(&sample()).unwrap();
        assert_eq!(a, b);
        assert!(a.contains("<svg") && a.contains("Capacity, raw to usable"));
        let png = bars_png(&sample()).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(png, bars_png(&sample()).unwrap());
        let mut h = sample();
        h.horizontal = true;
        assert!(bars_svg(&h).unwrap().contains("parity"));
    }

    #[test]
    fn a_horizontal_chart_of_one_bar_draws_it() {
        // Pod 4.0's rebuild uses one link; its bar had a height of -6 and did not show.
        let mut one = sample();
        one.horizontal = true;
        one.bars.truncate(1);
        let svg = bars_svg(&one).unwrap();
        assert!(!svg.contains("height=\"-"), "{svg}");
        let bar = format!("fill=\"#{:02X}{:02X}{:02X}\"", BLUE.0, BLUE.1, BLUE.2);
        let drawn = svg
            .lines()
            .filter(|l| l.starts_with("<rect") && l.contains(&bar))
            .count();
        assert_eq!(drawn, 1, "{svg}");
        assert!(svg.contains(&one.bars[0].label));
    }

    #[test]
    fn column_labels_do_not_overlap_however_many_columns() {
        // Eleven columns labelled as long as the comparison's: each label (at about 0.55 em a
        // character, the narrowest a sans-serif average gets) fits in the gap between the
        // centres of its column and the next. At a fixed 900 px they ran into each other.
        let label = "60-bay dual-path";
        let mut c = sample();
        c.bars = (0..11)
            .map(|i| Bar {
                label: format!("{label}{i:>2}"),
                from: 0.0,
                to: 10.0 + f64::from(i),
                highlight: false,
                value_label: String::new(),
            })
            .collect();
        let svg = bars_svg(&c).unwrap();
        let mut centres = Vec::new();
        let mut size = 0.0f64;
        for piece in svg.split("<text ").skip(1) {
            let Some((attrs, rest)) = piece.split_once('>') else {
                continue;
            };
            if !rest.trim_start().starts_with(label) {
                continue;
            }
            let attr = |name: &str| -> f64 {
                let at = attrs.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                attrs[at..].split('"').next().unwrap().parse().unwrap()
            };
            centres.push(attr("x"));
            size = attr("font-size");
        }
        assert_eq!(centres.len(), 11, "{svg}");
        let wide = 0.55 * size * (label.chars().count() + 2) as f64;
        for w in centres.windows(2) {
            assert!(
                w[1] - w[0] >= wide,
                "labels {} px apart, each about {wide} px",
                w[1] - w[0]
            );
        }
    }
}
