//! Tables that do not fit on a page: a row taller than a whole page is split across pages (its
//! header rows repeated, every line of its cells printed once, nothing below the bottom margin),
//! and a row that only does not fit on what is left of a page moves to the next one.

use certdesk_forms::engine::layout_copy;
use certdesk_forms::fonts::FontSet;
use certdesk_forms::{Item, Page};

const TOP: f32 = 15.0;
const BOTTOM: f32 = 297.0 - 15.0;

fn long_text() -> String {
    (1..=120).map(|i| format!("第{i}条：本协议条款内容的说明文字，用于检验表格中过长的行在页面之间的拆分。")).collect()
}

fn lay(rows: &str) -> Vec<Page> {
    let source = format!(
        r#"
id = "long-rows"
title = "长行"
[[pages]]
  [[pages.blocks]]
  kind = "text"
  text = "长行"
  size = 16
  [[pages.blocks]]
  kind = "table"
  columns = [30, 144]
  header_rows = 1
    [[pages.blocks.rows]]
    height = 8
    cells = [ {{ text = "项目" }}, {{ text = "内容" }} ]
{rows}
"#
    );
    let layout = certdesk_forms::layout::parse("long-rows.toml", &source).unwrap_or_else(|e| panic!("{e:?}"));
    layout_copy(&layout, &serde_json::json!({}), FontSet::shared().unwrap()).unwrap()
}

fn texts(page: &Page) -> Vec<(f32, f32, &str)> {
    page.items.iter().filter_map(|i| if let Item::Text { x, y, text, .. } = i { Some((*x, *y, text.as_str())) } else { None }).collect()
}

fn assert_inside_margins(pages: &[Page]) {
    for (n, page) in pages.iter().enumerate() {
        for item in &page.items {
            let (top, bottom) = match item {
                Item::Text { y, size, .. } => (*y - size * 0.353, *y),
                Item::Line { y1, y2, .. } => (y1.min(*y2), y1.max(*y2)),
                Item::Fill { y, h, .. } | Item::Image { y, h, .. } => (*y, y + h),
            };
            assert!(top >= TOP - 0.01 && bottom <= BOTTOM + 0.01, "page {}: {item:?} outside the margins", n + 1);
        }
    }
}

#[test]
fn a_row_taller_than_a_page_continues_on_the_next_pages() {
    let long = long_text();
    let pages = lay(&format!(
        r#"
    [[pages.blocks.rows]]
    height = 9
    cells = [ {{ text = "说明", valign = "top" }}, {{ text = "{long}" }} ]
    [[pages.blocks.rows]]
    height = 9
    cells = [ {{ text = "结束" }}, {{ text = "end" }} ]
"#
    ));
    assert!(pages.len() >= 2, "{} pages", pages.len());
    assert_inside_margins(&pages);
    // every page after the first starts with the header row
    for page in &pages[1..] {
        let first: Vec<&str> = texts(page).iter().take(2).map(|t| t.2).collect();
        assert_eq!(first, ["项目", "内容"]);
    }
    // the long cell's lines, in page order, give back the whole text once
    let printed: String = pages.iter().flat_map(texts).filter(|(x, _, t)| *x > 18.0 + 30.0 && !["内容", "end"].contains(t)).map(|t| t.2).collect();
    assert_eq!(printed, long);
    // the label prints once, the row after the long one follows it on the last page
    assert_eq!(pages.iter().flat_map(texts).filter(|t| t.2 == "说明").count(), 1);
    let last = texts(pages.last().unwrap());
    assert!(last.iter().any(|t| t.2 == "结束"), "{last:?}");
}

#[test]
fn a_row_that_does_not_fit_below_moves_to_the_next_page() {
    // the first row takes most of the first page; the second needs more than what is left
    // below it, and less than a page
    let first: String = long_text().chars().take(3000).collect();
    let second: String = long_text().chars().skip(3000).take(1500).collect();
    let pages = lay(&format!(
        r#"
    [[pages.blocks.rows]]
    height = 9
    cells = [ {{ text = "一" }}, {{ text = "{first}" }} ]
    [[pages.blocks.rows]]
    height = 9
    cells = [ {{ text = "二" }}, {{ text = "{second}" }} ]
"#
    ));
    assert_inside_margins(&pages);
    let page_of = |label: &str| pages.iter().position(|p| texts(p).iter().any(|t| t.2 == label)).unwrap();
    let second_page = page_of("二");
    assert_eq!((page_of("一"), second_page, pages.len()), (0, 1, 2));
    let end_of_first = pages[0].items.iter().filter_map(|i| if let Item::Line { y1, y2, .. } = i { Some(y1.max(*y2)) } else { None }).fold(0.0f32, f32::max);
    let second_h = pages[1].items.iter().filter_map(|i| if let Item::Line { y1, y2, .. } = i { Some(y1.max(*y2)) } else { None }).fold(0.0f32, f32::max) - TOP - 8.0;
    assert!(end_of_first + second_h > BOTTOM && second_h < BOTTOM - TOP, "the second row ({second_h} mm) would have fitted below {end_of_first} mm");
    // the moved row is whole on its page, right below the repeated header
    let on_page = texts(&pages[second_page]);
    assert_eq!(on_page.iter().take(3).map(|t| t.2).collect::<Vec<_>>(), ["项目", "内容", "二"]);
    let printed: String = on_page.iter().filter(|(x, _, t)| *x > 48.0 && *t != "内容").map(|t| t.2).collect();
    assert_eq!(printed, second);
}
