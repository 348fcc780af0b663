//! Code128 and QR symbols as module geometry. Owns the Code128 encoding (set C for digit runs,
//! set B for text, the mod-103 check symbol) and the QR matrix (via the `qrcode` crate); the
//! engine turns modules into filled rectangles.

/// Bar/space widths of Code128 symbols 0–105, then the stop pattern (ISO/IEC 15417, table 1).
const PATTERNS: [&str; 107] = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122",
    "123221", "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321", "232121", "111323",
    "131123", "131321", "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331", "231131",
    "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122",
    "141221", "112214", "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242", "121142", "121241", "114212", "124112",
    "124211", "411212", "421112", "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141", "114131", "311141",
    "411131", "211412", "211214", "211232", "2331112",
];
const START_B: usize = 104;
const START_C: usize = 105;
const CODE_C: usize = 99;
const STOP: usize = 106;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode {0:?} as Code128: only printable ASCII")]
pub struct BarcodeError(pub String);

/// The symbol values of `text`: set C when it is all digits (a leading odd digit in set B),
/// set B otherwise; with the check symbol, without start/stop.
pub fn code128_symbols(text: &str) -> Result<Vec<usize>, BarcodeError> {
    if text.is_empty() || !text.chars().all(|c| (' '..='~').contains(&c)) {
        return Err(BarcodeError(text.to_string()));
    }
    let bytes = text.as_bytes();
    let mut symbols = Vec::new();
    if bytes.iter().all(u8::is_ascii_digit) && bytes.len() >= 2 {
        let mut rest = bytes;
        if bytes.len() % 2 == 1 {
            symbols.push(START_B);
            symbols.push(usize::from(bytes[0] - b' '));
            symbols.push(CODE_C);
            rest = &bytes[1..];
        } else {
            symbols.push(START_C);
        }
        for pair in rest.chunks(2) {
            symbols.push(usize::from((pair[0] - b'0') * 10 + (pair[1] - b'0')));
        }
    } else {
        symbols.push(START_B);
        symbols.extend(bytes.iter().map(|b| usize::from(b - b' ')));
    }
    let check = symbols.iter().enumerate().map(|(i, s)| if i == 0 { *s } else { i * s }).sum::<usize>() % 103;
    symbols.push(check);
    Ok(symbols)
}

/// Bars as (start module, width in modules), with the stop pattern; and the total width in
/// modules (without quiet zones).
pub fn code128_bars(text: &str) -> Result<(Vec<(u32, u32)>, u32), BarcodeError> {
    let mut symbols = code128_symbols(text)?;
    symbols.push(STOP);
    let mut bars = Vec::new();
    let mut x = 0u32;
    for s in symbols {
        for (i, w) in PATTERNS[s].bytes().enumerate() {
            let w = u32::from(w - b'0');
            if i % 2 == 0 {
                bars.push((x, w));
            }
            x += w;
        }
    }
    Ok((bars, x))
}

/// The QR matrix of `text` (medium error correction): `size × size`, true = dark.
pub fn qr_modules(text: &str) -> Result<(usize, Vec<bool>), BarcodeError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).map_err(|_| BarcodeError(text.to_string()))?;
    let size = code.width();
    let modules = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Ok((size, modules))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_is_eleven_modules() {
        for (i, p) in PATTERNS.iter().enumerate() {
            let sum: u32 = p.bytes().map(|b| u32::from(b - b'0')).sum();
            assert_eq!(sum, if i == STOP { 13 } else { 11 }, "symbol {i}");
        }
    }

    #[test]
    fn digits_use_set_c_and_odd_lengths_start_in_b() {
        let even = code128_symbols("20261122").unwrap();
        assert_eq!(&even[..5], &[START_C, 20, 26, 11, 22]);
        let odd = code128_symbols("12345678901234567").unwrap();
        assert_eq!(&odd[..4], &[START_B, 17, CODE_C, 23]);
        // check symbol by hand: 104 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6 + 35·7 = 879 ≡ 55 (mod 103)
        assert_eq!(*code128_symbols("PJJ123C").unwrap().last().unwrap(), 55);
    }

    #[test]
    fn text_outside_ascii_is_refused() {
        assert!(code128_symbols("案件").is_err());
        assert!(code128_symbols("").is_err());
    }
}
