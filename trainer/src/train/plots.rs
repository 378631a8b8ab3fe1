//! PNG plots drawn with `plotters`: training curves (one panel per metric,
//! training and `val_` lines) and a confusion matrix heat map.
//!
//! Text needs a TrueType font, read at run time from
//! [`FONT_PATH`] (Debian's `fonts-dejavu-core`). When the font is missing the
//! plots are still drawn, without any text, and a warning says so once.

use crate::nn::callbacks::History;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// Where the plots' font is read from.
pub const FONT_PATH: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// A plot that could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {plot}: {message}")]
pub struct PlotError {
    plot: &'static str,
    message: String,
}

impl PlotError {
    fn new(plot: &'static str, error: impl std::fmt::Display) -> Self {
        Self {
            plot,
            message: error.to_string(),
        }
    }
}

/// Registers the font with plotters once; returns whether text can be drawn.
fn font_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let registered = std::fs::read(FONT_PATH)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                // plotters keeps registered fonts for the life of the process.
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
                    .map_err(|_| "not a TrueType font".to_string())
            });
        match registered {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(font = FONT_PATH, %error, "font unavailable: plots are drawn without text");
                false
            }
        }
    })
}

/// Line colors, one per curve kind (training, validation).
const TRAIN_COLOR: RGBColor = RGBColor(31, 119, 180);
const VALIDATION_COLOR: RGBColor = RGBColor(255, 127, 14);

/// Draws one panel per metric of `history` (`loss`, `accuracy`, ...), each with
/// its training curve and, when logged, its `val_` curve, against the epoch
/// (1-based), and writes the PNG to `path`.
///
/// # Errors
/// Returns [`PlotError`] when the history is empty or the file cannot be written.
pub fn training_curves(history: &History, path: &Path) -> Result<(), PlotError> {
    const PLOT: &str = "training curves";
    let metrics: Vec<&str> = history
        .history
        .keys()
        .map(String::as_str)
        .filter(|name| !name.starts_with("val_"))
        .collect();
    if metrics.is_empty() || history.epochs.is_empty() {
        return Err(PlotError::new(PLOT, "the history has no epochs"));
    }
    let text = font_available();
    let width = 480 * metrics.len() as u32;
    let root = BitMapBackend::new(path, (width, 400)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| PlotError::new(PLOT, e))?;
    let panels = root.split_evenly((1, metrics.len()));
    for (panel, name) in panels.iter().zip(&metrics) {
        let train = history.get(name).unwrap_or(&[]);
        let validation = history.get(&format!("val_{name}")).unwrap_or(&[]);
        draw_curves(panel, name, train, validation, text).map_err(|e| PlotError::new(PLOT, e))?;
    }
    root.present().map_err(|e| PlotError::new(PLOT, e))
}

fn draw_curves(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    name: &str,
    train: &[f64],
    validation: &[f64],
    text: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let values = || {
        train
            .iter()
            .chain(validation)
            .copied()
            .filter(|v| v.is_finite())
    };
    let low = values().fold(f64::INFINITY, f64::min);
    let high = values().fold(f64::NEG_INFINITY, f64::max);
    let (low, high) = if low.is_finite() && high > low {
        let pad = (high - low) * 0.05;
        (low - pad, high + pad)
    } else if low.is_finite() {
        (low - 0.5, low + 0.5)
    } else {
        (0.0, 1.0)
    };
    let epochs = train.len().max(validation.len()).max(2) as f64;
    let mut builder = ChartBuilder::on(area);
    builder.margin(12);
    if text {
        builder
            .caption(name, ("sans-serif", 22))
            .x_label_area_size(36)
            .y_label_area_size(56);
    }
    let mut chart = builder.build_cartesian_2d(1.0..epochs, low..high)?;
    if text {
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc(name)
            .label_style(("sans-serif", 14))
            .draw()?;
    }
    let points = |values: &[f64]| -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(epoch, v)| ((epoch + 1) as f64, *v))
            .collect()
    };
    let train_series =
        chart.draw_series(LineSeries::new(points(train), TRAIN_COLOR.stroke_width(2)))?;
    if text {
        train_series
            .label("train")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], TRAIN_COLOR));
    }
    if !validation.is_empty() {
        let series = chart.draw_series(LineSeries::new(
            points(validation),
            VALIDATION_COLOR.stroke_width(2),
        ))?;
        if text {
            series
                .label("validation")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], VALIDATION_COLOR));
        }
    }
    if text {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()?;
    }
    Ok(())
}

/// Draws `matrix` (rows: true class, columns: predicted class) as a heat map
/// with the count in each cell and the class names on the axes, and writes the
/// PNG to `path`.
///
/// # Errors
/// Returns [`PlotError`] for a matrix that is not square or does not match
/// `labels`, or when the file cannot be written.
pub fn confusion_matrix(
    matrix: &[Vec<usize>],
    labels: &[String],
    path: &Path,
) -> Result<(), PlotError> {
    const PLOT: &str = "confusion matrix";
    let n = labels.len();
    if n == 0 || matrix.len() != n || matrix.iter().any(|row| row.len() != n) {
        return Err(PlotError::new(
            PLOT,
            format!("expected a {n}x{n} matrix for {n} labels"),
        ));
    }
    let text = font_available();
    let root = BitMapBackend::new(path, (560, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| PlotError::new(PLOT, e))?;
    draw_matrix(&root, matrix, labels, text).map_err(|e| PlotError::new(PLOT, e))?;
    root.present().map_err(|e| PlotError::new(PLOT, e))
}

fn draw_matrix(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    matrix: &[Vec<usize>],
    labels: &[String],
    text: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = labels.len();
    let max = matrix.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let mut builder = ChartBuilder::on(area);
    builder.margin(16);
    if text {
        builder
            .caption("confusion matrix", ("sans-serif", 22))
            .x_label_area_size(44)
            .y_label_area_size(90);
    }
    // Rows grow downwards, as in scikit-learn's ConfusionMatrixDisplay.
    let mut chart = builder.build_cartesian_2d(0.0..n as f64, n as f64..0.0)?;
    if text {
        let label_of = |v: &f64| {
            let index = v.floor();
            if (v - index - 0.5).abs() < 1e-9 {
                labels.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(2 * n + 1)
            .y_labels(2 * n + 1)
            .x_label_formatter(&label_of)
            .y_label_formatter(&label_of)
            .x_desc("predicted")
            .y_desc("true")
            .label_style(("sans-serif", 14))
            .draw()?;
    }
    for (row, counts) in matrix.iter().enumerate() {
        for (col, &count) in counts.iter().enumerate() {
            let shade = count as f64 / max;
            let color = RGBColor(
                (247.0 - 239.0 * shade) as u8,
                (251.0 - 203.0 * shade) as u8,
                (255.0 - 148.0 * shade) as u8,
            );
            let (x, y) = (col as f64, row as f64);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x, y), (x + 1.0, y + 1.0)],
                color.filled(),
            )))?;
            if text {
                let ink = if shade > 0.5 { WHITE } else { BLACK };
                let style = TextStyle::from(("sans-serif", 16).into_font())
                    .color(&ink)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    ));
                chart.draw_series(std::iter::once(Text::new(
                    count.to_string(),
                    (x + 0.5, y + 0.5),
                    style,
                )))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::callbacks::Logs;

    fn png_size(path: &Path) -> (u32, u32) {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        let be = |at: usize| {
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        (be(16), be(20))
    }

    #[test]
    fn plots_are_pngs_of_the_expected_size() {
        let dir = std::env::temp_dir().join(format!("ferroflow-plots-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut history = History::default();
        for epoch in 0..3 {
            let mut logs = Logs::new();
            logs.insert("loss", 1.0 / (epoch + 1) as f64);
            logs.insert("accuracy", 0.5 + 0.1 * epoch as f64);
            logs.insert("val_loss", 1.2 / (epoch + 1) as f64);
            history.push(epoch, &logs);
        }
        let curves = dir.join("curves.png");
        training_curves(&history, &curves).unwrap();
        assert_eq!(png_size(&curves), (960, 400));
        let matrix = dir.join("matrix.png");
        let labels = vec!["no".to_string(), "yes".to_string()];
        confusion_matrix(&[vec![5, 1], vec![2, 7]], &labels, &matrix).unwrap();
        assert_eq!(png_size(&matrix), (560, 520));
        assert!(confusion_matrix(&[vec![1]], &labels, &matrix).is_err());
        assert!(training_curves(&History::default(), &curves).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
