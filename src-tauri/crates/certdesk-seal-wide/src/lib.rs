//! `#[wide_when_available]`, the seal importer's one attribute. It owns the rewriting of a
//! function into a dispatcher with two copies of the same body: one compiled for the baseline
//! x86-64 the release is built for, one with AVX2, BMI1/2, LZCNT and POPCNT enabled, called
//! when `crate::isa::wide()` says the CPU has them. It owns that list of features too, and
//! `cpu_has_wide_features!()` turns it into the run-time check, so the copy and the check
//! cannot drift apart. It does not own the choice (the seal crate's `isa` module does) nor
//! what the body computes.
//!
//! An attribute, not a `macro_rules!` wrapper, so that rustfmt and clippy see the function as
//! written. Each copy is the body's own tokens, not a call of one shared body: closures take
//! the features of the function they are written in. Built on `proc_macro` alone, without
//! `syn`: it needs the name, the parameters' names and the body, nothing more, and refuses
//! what it does not handle (generics, `self`, patterns as parameters) with a compile error.

use proc_macro::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};

/// The features the wide copy is compiled with and `cpu_has_wide_features!` checks.
const FEATURES: &str = "avx2,bmi1,bmi2,lzcnt,popcnt";

/// `std::arch::is_x86_feature_detected!` of every feature the wide copies are compiled with,
/// joined by `&&` (x86-64 only: the caller puts it under `cfg(target_arch = "x86_64")`).
#[proc_macro]
pub fn cpu_has_wide_features(input: TokenStream) -> TokenStream {
    if !input.is_empty() {
        return error(Span::call_site(), "cpu_has_wide_features!() takes no arguments");
    }
    let checks: Vec<String> = FEATURES.split(',').map(|f| format!("::std::arch::is_x86_feature_detected!({f:?})")).collect();
    parse(&checks.join(" && "))
}

/// Writes the function out twice and dispatches on `crate::isa::wide()`:
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
///
/// static WIDE: AtomicBool = AtomicBool::new(false);
///
/// mod isa {
///     pub fn wide() -> bool {
///         crate::WIDE.load(std::sync::atomic::Ordering::Relaxed)
///     }
/// }
///
/// /// Sum of the bytes at or above `floor`.
/// #[certdesk_seal_wide::wide_when_available]
/// #[allow(clippy::needless_range_loop)]
/// fn sum_above(values: &[u8], floor: u8, mut total: u64) -> u64 {
///     for i in 0..values.len() {
///         let add = |v: u8| u64::from(v) * u64::from(v >= floor);
///         total += add(values[i]);
///     }
///     total
/// }
///
/// fn main() {
///     let values: Vec<u8> = (0..=255).collect();
///     let expected = 1 + (200..=255u64).sum::<u64>();
///     assert_eq!(sum_above(&values, 200, 1), expected);
///     // The wide copy only where the CPU has what it is compiled for.
///     #[cfg(target_arch = "x86_64")]
///     if certdesk_seal_wide::cpu_has_wide_features!() {
///         WIDE.store(true, Ordering::Relaxed);
///         assert_eq!(sum_above(&values, 200, 1), expected);
///     }
/// }
/// ```
///
/// Generics, `self` and patterns as parameters are refused:
///
/// ```compile_fail
/// mod isa {
///     pub fn wide() -> bool {
///         true
///     }
/// }
/// #[certdesk_seal_wide::wide_when_available]
/// fn first<T: Copy>(values: &[T]) -> T {
///     values[0]
/// }
/// fn main() {}
/// ```
///
/// ```compile_fail
/// mod isa {
///     pub fn wide() -> bool {
///         true
///     }
/// }
/// #[certdesk_seal_wide::wide_when_available]
/// fn first([a, _]: [u8; 2]) -> u8 {
///     a
/// }
/// fn main() {}
/// ```
#[proc_macro_attribute]
pub fn wide_when_available(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return error(Span::call_site(), "#[wide_when_available] takes no arguments");
    }
    match rewrite(item) {
        Ok(out) => out,
        Err((span, message)) => error(span, message),
    }
}

type Failure = (Span, &'static str);

fn rewrite(item: TokenStream) -> Result<TokenStream, Failure> {
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    let at_fn = tokens.iter().position(|t| is_ident(t, "fn")).ok_or((Span::call_site(), "#[wide_when_available] goes on a function"))?;
    let name = match tokens.get(at_fn + 1) {
        Some(TokenTree::Ident(name)) => name.clone(),
        _ => return Err((tokens[at_fn].span(), "a function name follows `fn`")),
    };
    let params = match tokens.get(at_fn + 2) {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => g.clone(),
        Some(other) => return Err((other.span(), "no generics: the two copies are plain functions")),
        None => return Err((name.span(), "a parameter list follows the name")),
    };
    let body = match tokens.last() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g.clone(),
        _ => return Err((name.span(), "the function needs a body")),
    };
    // `-> T`, or nothing; a `where` clause would mean generics.
    let output: Vec<TokenTree> = tokens[at_fn + 3..tokens.len() - 1].to_vec();
    if let Some(w) = output.iter().find(|t| is_ident(t, "where")) {
        return Err((w.span(), "no `where` clause: the two copies are plain functions"));
    }
    let head = &tokens[..at_fn];
    if let Some(q) = head.iter().find(|t| is_ident(t, "async") || is_ident(t, "const") || is_ident(t, "unsafe") || is_ident(t, "extern")) {
        return Err((q.span(), "a plain function only (not async, const, unsafe or extern)"));
    }
    let names = parameter_names(&params)?;

    // The attributes other than the doc comment go on the wide copy too (an `allow` the
    // function needs, it needs in both copies).
    let mut wide_attrs: Vec<TokenTree> = Vec::new();
    let mut i = 0;
    while i + 1 < head.len() {
        if let (TokenTree::Punct(p), TokenTree::Group(g)) = (&head[i], &head[i + 1])
            && p.as_char() == '#'
            && g.delimiter() == Delimiter::Bracket
        {
            if !g.stream().into_iter().next().is_some_and(|t| is_ident(&t, "doc")) {
                wide_attrs.extend([head[i].clone(), head[i + 1].clone()]);
            }
            i += 2;
        } else {
            i += 1;
        }
    }

    let call_args: TokenStream = names
        .iter()
        .enumerate()
        .flat_map(|(k, n)| {
            let comma = (k > 0).then(|| TokenTree::Punct(Punct::new(',', Spacing::Alone)));
            comma.into_iter().chain([TokenTree::Ident(n.clone())])
        })
        .collect();
    let wide_copy = Ident::new("wide_copy", Span::call_site());

    // #[cfg(target_arch = "x86_64")]
    // {
    //     #[target_feature(enable = FEATURES)] <attrs> fn wide_copy(params) -> T { body }
    //     if crate::isa::wide() {
    //         // SAFETY: `isa::wide()` is true only when the CPU reports every feature `wide_copy`
    //         // is compiled for.
    //         #[allow(unsafe_code)]
    //         return unsafe { wide_copy(names) };
    //     }
    // }
    // body
    let mut dispatch = TokenStream::new();
    dispatch.extend(parse(&format!("#[target_feature(enable = {FEATURES:?})]")));
    dispatch.extend(wide_attrs);
    dispatch.extend([TokenTree::Ident(Ident::new("fn", Span::call_site())), TokenTree::Ident(wide_copy.clone()), TokenTree::Group(params.clone())]);
    dispatch.extend(output.iter().cloned());
    dispatch.extend([TokenTree::Group(body.clone())]);
    let call = {
        let mut call = TokenStream::from(TokenTree::Ident(wide_copy));
        call.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, call_args))]);
        call
    };
    let mut unsafe_block = parse("#[allow(unsafe_code)] return unsafe");
    unsafe_block.extend([TokenTree::Group(Group::new(Delimiter::Brace, call)), TokenTree::Punct(Punct::new(';', Spacing::Alone))]);
    dispatch.extend(parse("if crate::isa::wide()"));
    dispatch.extend([TokenTree::Group(Group::new(Delimiter::Brace, unsafe_block))]);

    let mut outer_body = parse("#[cfg(target_arch = \"x86_64\")]");
    outer_body.extend([TokenTree::Group(Group::new(Delimiter::Brace, dispatch)), TokenTree::Group(body)]);

    let mut out: TokenStream = head.iter().cloned().collect();
    out.extend([TokenTree::Ident(Ident::new("fn", tokens[at_fn].span())), TokenTree::Ident(name), TokenTree::Group(params)]);
    out.extend(output);
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, outer_body))]);
    Ok(out)
}

/// The name of each parameter (`name: Type` or `mut name: Type`), split at the commas outside
/// any `<…>` (a comma inside brackets or parentheses is inside a group already).
fn parameter_names(params: &Group) -> Result<Vec<Ident>, Failure> {
    let mut names = Vec::new();
    let mut segment: Vec<TokenTree> = Vec::new();
    let mut depth = 0i32;
    let mut flush = |segment: &mut Vec<TokenTree>| -> Result<(), Failure> {
        if segment.is_empty() {
            return Ok(());
        }
        let mut it = segment.iter();
        let mut first = it.next();
        if first.is_some_and(|t| is_ident(t, "mut")) {
            first = it.next();
        }
        match (first, it.next()) {
            (Some(TokenTree::Ident(n)), Some(TokenTree::Punct(p))) if p.as_char() == ':' && n.to_string() != "self" => names.push(n.clone()),
            (Some(t), _) => return Err((t.span(), "parameters are plain names (`x: T` or `mut x: T`), no `self` or pattern")),
            (None, _) => {}
        }
        segment.clear();
        Ok(())
    };
    let mut last: Option<char> = None;
    for t in params.stream() {
        if let TokenTree::Punct(p) = &t {
            match p.as_char() {
                '<' => depth += 1,
                // `->` in a function pointer type is no closing angle bracket.
                '>' if last != Some('-') => depth -= 1,
                ',' if depth == 0 => {
                    flush(&mut segment)?;
                    last = Some(',');
                    continue;
                }
                _ => {}
            }
            last = Some(p.as_char());
        } else {
            last = None;
        }
        segment.push(t);
    }
    flush(&mut segment)?;
    Ok(names)
}

fn is_ident(t: &TokenTree, word: &str) -> bool {
    matches!(t, TokenTree::Ident(i) if i.to_string() == word)
}

fn parse(code: &str) -> TokenStream {
    code.parse().expect("the macro's own code parses")
}

fn error(span: Span, message: &str) -> TokenStream {
    let mut text = proc_macro::Literal::string(message);
    text.set_span(span);
    let mut group = Group::new(Delimiter::Parenthesis, TokenStream::from(TokenTree::Literal(text)));
    group.set_span(span);
    let mut out = parse("::core::compile_error!");
    out.extend([TokenTree::Group(group), TokenTree::Punct(Punct::new(';', Spacing::Alone))]);
    out
}
