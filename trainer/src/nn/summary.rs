//! `summary()`: the layer table Keras 3 prints, as a struct with `Display`.

use std::fmt;

/// One layer's row of the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    /// Keras name (`conv2d_1`).
    pub name: String,
    /// Keras class name (`Conv2D`).
    pub class_name: String,
    /// Per-sample output shape (printed after `None` for the batch axis).
    pub output_shape: Vec<usize>,
    /// Number of scalar parameters.
    pub params: usize,
}

/// A model's summary; `Display` renders Keras 3's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSummary {
    /// Model name (`sequential`).
    pub name: String,
    /// One row per layer.
    pub rows: Vec<SummaryRow>,
    /// Bytes per parameter (4 for `f32`), for the memory column.
    pub bytes_per_param: usize,
}

impl ModelSummary {
    /// Returns the total number of parameters.
    pub fn total_params(&self) -> usize {
        self.rows.iter().map(|r| r.params).sum()
    }
}

impl SummaryRow {
    /// Returns Keras' shape text, `(None, 14, 14, 16)`.
    pub fn shape_text(&self) -> String {
        let dims: Vec<String> = self.output_shape.iter().map(usize::to_string).collect();
        format!("(None, {})", dims.join(", "))
    }
}

/// Formats an integer with thousands separators (`13,940`).
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats a byte count as Keras' `readable_memory_size` (`54.45 KB`).
fn readable_size(bytes: usize) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < units.len() {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.2} {}", units[unit])
}

impl fmt::Display for ModelSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cells: Vec<[String; 3]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    format!("{} ({})", r.name, r.class_name),
                    r.shape_text(),
                    thousands(r.params),
                ]
            })
            .collect();
        let header = ["Layer (type)", "Output Shape", "Param #"];
        let mut widths = [31usize, 22, 13];
        for row in cells
            .iter()
            .chain(std::iter::once(&header.map(String::from)))
        {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let rule = |left: &str, fill: &str, mid: &str, right: &str| {
            let parts: Vec<String> = widths.iter().map(|w| fill.repeat(w + 2)).collect();
            format!("{left}{}{right}", parts.join(mid))
        };
        let line = |bar: &str, row: &[String; 3]| {
            format!(
                "{bar} {:<w0$} {bar} {:<w1$} {bar} {:>w2$} {bar}",
                row[0],
                row[1],
                row[2],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            )
        };
        writeln!(f, "Model: \"{}\"", self.name)?;
        writeln!(f, "{}", rule("┏", "━", "┳", "┓"))?;
        writeln!(f, "{}", line("┃", &header.map(String::from)))?;
        writeln!(f, "{}", rule("┡", "━", "╇", "┩"))?;
        for (i, row) in cells.iter().enumerate() {
            if i > 0 {
                writeln!(f, "{}", rule("├", "─", "┼", "┤"))?;
            }
            writeln!(f, "{}", line("│", row))?;
        }
        writeln!(f, "{}", rule("└", "─", "┴", "┘"))?;
        let total = self.total_params();
        let size = readable_size(total * self.bytes_per_param);
        writeln!(f, " Total params: {} ({size})", thousands(total))?;
        writeln!(f, " Trainable params: {} ({size})", thousands(total))?;
        write!(f, " Non-trainable params: 0 (0.00 B)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_sizes_format_like_keras() {
        assert_eq!(thousands(13_940), "13,940");
        assert_eq!(thousands(160), "160");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(readable_size(55_760), "54.45 KB");
        assert_eq!(readable_size(0), "0.00 B");
    }
}
