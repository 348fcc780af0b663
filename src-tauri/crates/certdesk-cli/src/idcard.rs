//! `certdesk idcard read`: the card lying on a reader named on the command line (a serial
//! device or a vendor library), printed as the JSON (`card_type`, `name`, `sex`,
//! `nation`, dates as `YYYY-MM-DD` or `长期`, the card types' extra fields) plus `validity` on the
//! counter's today, or as lines for a person. Reads no store and writes nothing.

use crate::context::Ctx;
use crate::output::{CliError, print_json};
use certdesk_desk::idcard::{ReaderChoice, for_intake, read as read_card, usb_port};
use std::path::PathBuf;
use std::process::ExitCode;

pub fn read(ctx: &Ctx, port: Option<String>, library: Option<PathBuf>, usb: Option<&str>) -> Result<ExitCode, CliError> {
    let choice = match (port, library) {
        (Some(port), _) => ReaderChoice::Serial(port),
        (None, Some(path)) => ReaderChoice::Library { path, usb_port: usb.map(usb_port).transpose()? },
        (None, None) => return Err(CliError::Usage("idcard read needs --port DEVICE or --library FILE".into())),
    };
    let mut reader = choice.open()?;
    let card = read_card(reader.as_mut())?;
    let judged = for_intake(&card, certdesk_desk::dates::today());
    if ctx.g.json {
        let mut value = serde_json::to_value(&card).unwrap_or_default();
        if let Some(fields) = value.as_object_mut() {
            fields.insert("validity".into(), judged.validity.clone().into());
        }
        print_json(&value);
    } else {
        let line = |label: &str, value: Option<&str>| {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                println!("{label}：{v}");
            }
        };
        line("证件类型", Some(&judged.card_type_zh));
        line("姓名", Some(&judged.name));
        line("英文姓名", judged.english_name.as_deref());
        line("性别", Some(&judged.sex));
        line("民族", judged.nation.as_deref());
        line("国籍", judged.nationality.as_deref());
        line("出生日期", Some(&judged.birth_date));
        line("住址", judged.address.as_deref());
        line("证件号码", Some(&judged.id_number));
        line("通行证号码", judged.pass_number.as_deref());
        line("签发机关", judged.issuer.as_deref());
        println!("有效期限：{} 至 {}", judged.valid_from, judged.valid_to);
        if let Some(why) = &judged.refused {
            println!("不能受理：{why}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
