//! Owns the answer to "is this file a key library this PC can use?" (#79 item 3): the file is
//! there, it is a shared library built for this operating system and processor (read from its
//! header, before anything is loaded: a 32-bit vendor DLL on a 64-bit counter PC is the usual
//! mistake), it exports a PKCS#11 or an SKF entry point, and it loads and lists its slots.
//! Each failure says which of these it was, so the administrator's screen can name it.

use crate::Keys;
use crate::token::Backend;
use serde::Serialize;
use std::io::Read;
use std::path::Path;

/// What checking a key library found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LibraryCheck {
    /// It loaded: its kind, its slots (SKF: devices present) and the keys in them.
    Usable { backend: Backend, slots: usize, tokens: usize },
    /// No file at that path.
    NotFound,
    /// The path is a folder or something else that is not a file.
    NotAFile,
    /// A shared library, built for another system or processor: `found` and `expected` name
    /// them as "Windows x86 (32-bit)", "Linux x86_64 (64-bit)".
    WrongArchitecture { found: String, expected: String },
    /// Not a shared library at all (no ELF, PE or Mach-O header).
    NotALibrary,
    /// A library, but with neither `C_GetFunctionList` (PKCS#11) nor `SKF_EnumDev` (SKF).
    NotAKeyLibrary,
    /// It failed to load or to start: the loader's or the library's own words.
    LoadFailed { why: String },
}

/// Checks `path` as the key desk would load it. Loading runs the library's own start-up code,
/// so only a file that passed the header check is loaded.
pub fn check_library(path: &Path) -> LibraryCheck {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return LibraryCheck::NotFound,
        Err(e) => return LibraryCheck::LoadFailed { why: e.to_string() },
    };
    if !meta.is_file() {
        return LibraryCheck::NotAFile;
    }
    let mut head = Vec::with_capacity(4096);
    match std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head)) {
        Ok(_) => {}
        Err(e) => return LibraryCheck::LoadFailed { why: e.to_string() },
    }
    let Some(found) = Binary::of(&head) else { return LibraryCheck::NotALibrary };
    let here = Binary::this_process();
    if found != here {
        return LibraryCheck::WrongArchitecture { found: found.to_string(), expected: here.to_string() };
    }
    match certdesk_skf::ModuleKind::detect(path) {
        Ok(_) => {}
        Err(certdesk_skf::SkfError::NotAModule { .. }) => return LibraryCheck::NotAKeyLibrary,
        Err(e) => return LibraryCheck::LoadFailed { why: e.to_string() },
    }
    let keys = match Keys::open(path) {
        Ok(k) => k,
        Err(crate::TokenError::Module { why, .. }) => return LibraryCheck::LoadFailed { why: why.to_string() },
        Err(e) => return LibraryCheck::LoadFailed { why: e.to_string() },
    };
    match keys.slots() {
        Ok(slots) => LibraryCheck::Usable { backend: keys.backend(), slots: slots.len(), tokens: slots.iter().filter(|s| s.token.is_some()).count() },
        Err(e) => LibraryCheck::LoadFailed { why: e.to_string() },
    }
}

/// The operating system and processor a binary is built for, as its header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Binary {
    system: System,
    machine: Machine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum System {
    /// ELF: Linux and the other Unixes (the header does not tell them apart reliably)
    Elf,
    Windows,
    MacOs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Machine {
    X86,
    X86_64,
    Arm,
    Aarch64,
    LoongArch64,
    RiscV64,
    Mips,
    Other(u32, u8),
}

impl Binary {
    fn of(head: &[u8]) -> Option<Binary> {
        let u16le = |at: usize| head.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
        let u32le = |at: usize| head.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        if head.starts_with(b"\x7fELF") {
            let bits = match head.get(4)? {
                1 => 32,
                2 => 64,
                _ => return None,
            };
            let big_endian = *head.get(5)? == 2;
            let raw = head.get(18..20)?;
            let machine = if big_endian { u16::from_be_bytes([raw[0], raw[1]]) } else { u16::from_le_bytes([raw[0], raw[1]]) };
            let machine = match (machine, bits) {
                (3, _) => Machine::X86,
                (62, _) => Machine::X86_64,
                (40, _) => Machine::Arm,
                (183, _) => Machine::Aarch64,
                (258, _) => Machine::LoongArch64,
                (243, 64) => Machine::RiscV64,
                (8, _) => Machine::Mips,
                (m, b) => Machine::Other(u32::from(m), b),
            };
            return Some(Binary { system: System::Elf, machine });
        }
        if head.starts_with(b"MZ") {
            let pe = usize::try_from(u32le(0x3c)?).ok()?;
            if head.get(pe..pe + 4)? != b"PE\0\0" {
                return None;
            }
            let machine = match u16le(pe + 4)? {
                0x014c => Machine::X86,
                0x8664 => Machine::X86_64,
                0xaa64 => Machine::Aarch64,
                0x01c4 => Machine::Arm,
                m => Machine::Other(u32::from(m), 0),
            };
            return Some(Binary { system: System::Windows, machine });
        }
        let magic = u32le(0)?;
        let (bits, cpu) = match magic {
            0xfeed_face => (32, u32le(4)?),
            0xfeed_facf => (64, u32le(4)?),
            // a universal binary holds several: the loader picks this process's one
            0xbeba_feca if cfg!(target_os = "macos") => return Some(Binary::this_process()),
            0xbeba_feca => return Some(Binary { system: System::MacOs, machine: Machine::Other(0, 0) }),
            _ => return None,
        };
        let machine = match cpu {
            7 => Machine::X86,
            0x0100_0007 => Machine::X86_64,
            0x0100_000c => Machine::Aarch64,
            12 => Machine::Arm,
            c => Machine::Other(c, bits),
        };
        Some(Binary { system: System::MacOs, machine })
    }

    fn this_process() -> Binary {
        let system = if cfg!(windows) {
            System::Windows
        } else if cfg!(target_os = "macos") {
            System::MacOs
        } else {
            System::Elf
        };
        let machine = match std::env::consts::ARCH {
            "x86" => Machine::X86,
            "x86_64" => Machine::X86_64,
            "arm" => Machine::Arm,
            "aarch64" => Machine::Aarch64,
            "loongarch64" => Machine::LoongArch64,
            "riscv64" => Machine::RiscV64,
            "mips" | "mips64" => Machine::Mips,
            _ => Machine::Other(0, 0),
        };
        Binary { system, machine }
    }
}

impl std::fmt::Display for Binary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let system = match self.system {
            System::Elf => "Linux",
            System::Windows => "Windows",
            System::MacOs => "macOS",
        };
        let machine = match self.machine {
            Machine::X86 => "x86 (32-bit)".to_string(),
            Machine::X86_64 => "x86_64 (64-bit)".to_string(),
            Machine::Arm => "ARM (32-bit)".to_string(),
            Machine::Aarch64 => "ARM64 (64-bit)".to_string(),
            Machine::LoongArch64 => "LoongArch64 (64-bit)".to_string(),
            Machine::RiscV64 => "RISC-V (64-bit)".to_string(),
            Machine::Mips => "MIPS".to_string(),
            Machine::Other(m, 0) => format!("processor {m:#x}"),
            Machine::Other(m, bits) => format!("processor {m:#x} ({bits}-bit)"),
        };
        write!(f, "{system} {machine}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elf(class: u8, machine: u16) -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = class;
        h[5] = 1;
        h[18..20].copy_from_slice(&machine.to_le_bytes());
        h
    }

    fn pe(machine: u16) -> Vec<u8> {
        let mut h = vec![0u8; 256];
        h[..2].copy_from_slice(b"MZ");
        h[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
        h[0x80..0x84].copy_from_slice(b"PE\0\0");
        h[0x84..0x86].copy_from_slice(&machine.to_le_bytes());
        h
    }

    #[test]
    fn headers_name_their_system_and_processor() {
        assert_eq!(Binary::of(&elf(2, 62)).map(|b| b.to_string()).as_deref(), Some("Linux x86_64 (64-bit)"));
        assert_eq!(Binary::of(&elf(1, 3)).map(|b| b.to_string()).as_deref(), Some("Linux x86 (32-bit)"));
        assert_eq!(Binary::of(&pe(0x014c)).map(|b| b.to_string()).as_deref(), Some("Windows x86 (32-bit)"));
        assert_eq!(Binary::of(&pe(0x8664)).map(|b| b.to_string()).as_deref(), Some("Windows x86_64 (64-bit)"));
        assert_eq!(Binary::of(b"#!/bin/sh\necho not a library\n"), None);
        assert_eq!(Binary::of(b"MZ"), None, "a cut header is not a library");
        assert_eq!(Binary::of(&[]), None);
    }

    /// #75: a key library that cannot be loaded says why as the loader's typed error.
    #[test]
    fn a_file_that_is_no_library_fails_to_load_with_the_loaders_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = dir.path().join("vendor.so");
        std::fs::write(&text, "not a library").expect("write");
        match Keys::open(&text) {
            Err(crate::TokenError::Module { path, why }) if matches!(*why, crate::ModuleProblem::Skf(_)) => assert!(path.ends_with("vendor.so"), "{path}"),
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("a text file opened as a key library"),
        }
    }

    #[test]
    fn files_that_are_not_a_usable_library_say_why() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(check_library(&dir.path().join("missing.so")), LibraryCheck::NotFound);
        assert_eq!(check_library(dir.path()), LibraryCheck::NotAFile);
        let text = dir.path().join("readme.so");
        std::fs::write(&text, "not a library").expect("write");
        assert_eq!(check_library(&text), LibraryCheck::NotALibrary);
        // a library for the other word size or the other system: found from its header, not loaded
        let other = if cfg!(windows) { elf(2, 62) } else { pe(0x014c) };
        let foreign = dir.path().join("vendor32.dll");
        std::fs::write(&foreign, &other).expect("write");
        match check_library(&foreign) {
            LibraryCheck::WrongArchitecture { found, expected } => {
                assert_ne!(found, expected);
                assert!(expected.contains(std::env::consts::ARCH.split('_').next().unwrap_or("")), "{expected}");
            }
            other => panic!("{other:?}"),
        }
    }
}
