// Generated from the Rust types by ts-rs (src-tauri/src/bindings.rs): do not edit.
// A test fails when this file and the Rust types disagree.
/* eslint-disable */
export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null

export type Role = "admin" | "clerk" | "supervisor" | "key_clerk";

export type Actor = { name: string, roles: Array<Role>, };

export type Checked = { 
/**
 * The kind checked (`validate`'s name: `mobile`, `landline` … ; a phone number is checked
 * as the kind [`phone_kind`] finds).
 */
kind: string, value: string, valid: boolean, normalized: string | null, error: string | null, error_code: string | null, error_zh: string | null, warnings: Array<string>, };

export type LegalRep = { name: string, id_type: "resident_id" | "passport" | "hk_macao_permit" | "taiwan_permit" | "hmt_residence_permit" | "foreigner_residence_permit" | "military_officer" | "other", id_number: string, mobile: string | null, };

export type Organization = { name: string, department: string | null, uscc: string | null, org_code: string | null, other_id: string | null, phone: string | null, email: string | null, postcode: string | null, legal_address: string | null, mailing_address: string | null, legal_rep: LegalRep | null, 
/**
 * The serial (hex) of the organisation certificate the unit already holds, where a
 * project issues employee certificates only to a unit that has one (seed 001).
 */
certificate_serial?: string, 
/**
 * 营业执照有效期至 (#74): `YYYY-MM-DD`, or `长期` for a licence without an end.
 */
license_valid_until?: string, };

export type Handler = { name: string, id_type: "resident_id" | "passport" | "hk_macao_permit" | "taiwan_permit" | "hmt_residence_permit" | "foreigner_residence_permit" | "military_officer" | "other", id_number: string, mobile: string | null, email: string | null, address: string | null, 
/**
 * 授权期限: the last day of the unit's authorisation letter (授权书) for this person,
 * `YYYY-MM-DD` (seeds 002/004 "授权期限…至…", 陕西CA "授权委托有效期至"). Absent when the
 * letter names none or the case needs none.
 */
authorization_until?: string, 
/**
 * `chip` when the identity was read off the ID card (the supervisor sees it).
 */
source?: "chip" | "typed", };

export type Employee = { name: string, id_type: "resident_id" | "passport" | "hk_macao_permit" | "taiwan_permit" | "hmt_residence_permit" | "foreigner_residence_permit" | "military_officer" | "other", id_number: string, email: string | null, business: "new" | "renew" | "change" | "replace" | "unlock" | "revoke" | "suspend" | "key_recovery" | "annual_check" | "unsuspend", years: number | null, 
/**
 * 授权期限 of this employee's authorisation letter, `YYYY-MM-DD` (see `Handler`).
 */
authorization_until?: string, 
/**
 * `chip` when the identity was read off the ID card (the supervisor sees it).
 */
source?: "chip" | "typed", };

export type Payment = { method: "bank_transfer" | "card" | "cash" | "wechat" | "alipay" | "free", payer_account: string | null, payer_name: string | null, amount: string, date: string | null, };

export type Delivery = { method: "pickup" | "mail", 
/**
 * Who receives it (the handler when absent).
 */
recipient?: string | null, phone?: string | null, 
/**
 * The postal address for `mail`.
 */
address?: string | null, };

export type Channel = "counter" | "post";

export type Arrival = { date: string, 
/**
 * The courier company (顺丰速运, EMS, 京东物流 …).
 */
courier: string, 
/**
 * Its waybill number (运单号).
 */
waybill: string, 
/**
 * Who paid the carriage (寄付 when absent).
 */
postage?: Postage, 
/**
 * The number of the application made online before the paper was posted (网上申请编号;
 * seed 001: "新申请证书请经办人互联网线上申请后，邮寄上述资料").
 */
online_application?: string, };

export type Postage = "prepaid" | "collect";

export type Invoice = { type: "normal" | "special", 
/**
 * 发票抬头.
 */
title: string, 
/**
 * 纳税人识别号 (the unit's USCC for a unit).
 */
taxpayer_id?: string | null, email?: string | null, phone?: string | null, 
/**
 * 专票: the unit's registered business address (营业地址), with `phone`, `bank` and
 * `account` ("专票还需要填写营业地址、电话号码、开户行信息", seed 003).
 */
address?: string, 
/**
 * 专票: 开户行.
 */
bank?: string, 
/**
 * 专票: 账号.
 */
account?: string, };

export type MaterialReceived = { id: string, original_seen: boolean, copies_received: number, 
/**
 * 后补说明: why it is missing and when it will be brought.
 */
to_follow?: string, 
/**
 * 在案 (#74): an authorisation letter the counter already holds for this handler, the
 * number of the case it came with; set by the desk, never by the clerk.
 */
on_file?: string, 
/**
 * 凭单位证书免原件 (#74): the serial of the unit's certificate whose signature proved the
 * unit at the desk, on an item the guide spares the original of; set by the desk, never by
 * the clerk.
 */
by_unit_certificate?: string, };

export type CaseData = { project: string, business: "new" | "renew" | "change" | "replace" | "unlock" | "revoke" | "suspend" | "key_recovery" | "annual_check" | "unsuspend", cert_kind: "organization" | "employee" | "personal", years: number | null, quantity: number, medium: "usb_key" | "mobile_key", organization: Organization | null, handler: Handler, employees: Array<Employee>, payment: Payment | null, notes: string, 
/**
 * 业务单号: the CA's own number for this application, from its online system (printed as
 * the barcode of forms that carry one). Absent until the clerk has it.
 */
ca_reference?: string | null, delivery?: Delivery | null, invoice?: Invoice | null, 
/**
 * How the case came in (#73), as the case JSON gives it: absent (a counter case, as every
 * case before #73, whose data and digest stay as they were) or `counter`/`post`. Read it
 * with [`CaseData::channel`].
 */
channel?: Channel | null, 
/**
 * A posted case's arrival: its date, courier and waybill.
 */
arrival?: Arrival | null, 
/**
 * 凭单位证书核验 (#74): the unit proved itself at the desk with its own organisation
 * certificate (its key signed the desk's challenge, the certificate chained to the
 * project's CA). Set by the desk only (`case prove-unit`); kept across edits while the
 * unit's code stays; an imported case never brings one.
 */
unit_proof?: UnitProof, 
/**
 * The materials checklist as received (catalog item ids); empty until the clerk ticks it.
 */
materials?: Array<MaterialReceived>, 
/**
 * The project's own fields (`extra` in the case JSON: 所属旗区, 主锁/副锁, 主体类型 …), by
 * the names its catalog declares (`[[fields]]`); text, a choice's text, a day or a count.
 * Whether a name and value are the project's is the catalog's check.
 */
extra?: Record<string, string | number> | undefined, };

export type UnitProof = { 
/**
 * The certificate's serial, hex.
 */
serial: string, 
/**
 * Its subject (RFC 4514) and the 统一社会信用代码 in it.
 */
subject: string, uscc: string, issuer: string, 
/**
 * RFC 3339, UTC.
 */
not_after: string, 
/**
 * The signature's algorithm (`rsa-pkcs1-sha256`, `ecdsa-p256-sha256`, `sm2-sm3`).
 */
algorithm: string, 
/**
 * The project's CA certificate the chain ended at (its subject).
 */
anchor: string, 
/**
 * When the key signed, RFC 3339.
 */
proved_at: string, };

export type FieldProblem = { path: string, message: string, message_zh: string, 
/**
 * `error` refuses the case, `warning` is shown but accepted.
 */
severity: Severity, };

export type Severity = "error" | "warning";

export type FeeQuote = { project: string, business: "new" | "renew" | "change" | "replace" | "unlock" | "revoke" | "suspend" | "key_recovery" | "annual_check" | "unsuspend", cert_kind: "organization" | "employee" | "personal", medium: "usb_key" | "mobile_key", years: number | null, quantity: number, items: Array<FeeLine>, total: string, 
/**
 * The total in 大写金额, as receipts print it.
 */
total_capital: string, 
/**
 * What the applicant pays (#71): the total, or nothing when the quote was asked for a
 * payment method that is free of charge (`with_payment`); the intake's amount.
 */
due: string, note: string | null, 
/**
 * The annex's row groups when the quote priced an employee case row by row
 * (`Project::fee_by_rows`), in the order their first rows appear: one entry when every
 * row is alike (then the lines keep their labels), several when the rows differ (then each
 * line's label starts with its group's, `新申请 3年 · 证书年服务费`). Empty for a quote of
 * one request (`Project::fee`: an organisation or personal case, an annex not listed yet),
 * and then left out of the JSON, which stays as it was before #71.
 */
groups?: Array<FeeGroup>, };

export type FeeLine = { label: string, per: Per, unit_price: string, 
/**
 * How many units the price is multiplied by (years × quantity, quantity, or 1).
 */
count: number, amount: string, };

export type FeeGroup = { business: "new" | "renew" | "change" | "replace" | "unlock" | "revoke" | "suspend" | "key_recovery" | "annual_check" | "unsuspend", 
/**
 * The validity the rows were priced for; `None` for a business type that keeps the
 * original validity.
 */
years: number | null, 
/**
 * How many rows (certificates).
 */
count: number, 
/**
 * The sum of the group's lines. With several groups a per-case item (`Per::Case`) is the
 * case's, listed once after the groups and in no group's subtotal; with one group the
 * subtotal is the total.
 */
subtotal: string, 
/**
 * The group as its lines' labels start (`新申请 3年`, `变更`).
 */
label: string, 
/**
 * The 0-based index of the group's first row (`employees[i]`).
 */
first_row: number, };

export type RowOrder = { business: string, years: number | null, };

export type IntakeForm = { project: string, business: "new" | "renew" | "change" | "replace" | "unlock" | "revoke" | "suspend" | "key_recovery" | "annual_check" | "unsuspend", cert_kind: "organization" | "employee" | "personal", medium: "usb_key" | "mobile_key", sections: Array<Section>, rules: Array<RuleView>, 
/**
 * An annex row counts as a person (and a certificate) once any of these of its fields is
 * filled in; an empty row is no one.
 */
counts_as_person: Array<string>, 
/**
 * Whether the business type carries a validity in years (新申请, 续期).
 */
takes_years: boolean, 
/**
 * Whether the case names a unit (organisation and employee certificates).
 */
has_organization: boolean, 
/**
 * Whether the case lists its certificate holders on an annex (one certificate per row).
 */
has_annex: boolean, };

export type UnitCertificate = { found: BroughtCert | null, problem: string | null, problem_zh: string | null, };

export type BatchPinsHeld = { case: string | null, };

export type BroughtCert = { 
/**
 * `sign` or `encrypt` (a dual key's two certificates).
 */
usage: CertUsage, subject: BroughtSubject, 
/**
 * Hex, as `key show` writes it.
 */
serial: string, 
/**
 * The issuer's name (RFC 4514), as `key show` writes it.
 */
issuer: string, 
/**
 * RFC 3339, UTC.
 */
not_before: string, not_after: string, 
/**
 * `rsa2048`, `ec-p256`, `sm2` (the names of `Algo`).
 */
key_algorithm: string, 
/**
 * The key's label where it has one, and the key (CKA_ID or SKF container) it goes with.
 */
label: string, key_id: string, 
/**
 * SHA-256 of the certificate's DER, hex.
 */
sha256: string, };

export type BroughtSubject = { cn: string | null, o: string | null, 
/**
 * The 统一社会信用代码 found in the subject (serialNumber, OU, CN, O or any other
 * attribute), checked by its check character; absent when the subject has none.
 */
uscc?: string, 
/**
 * The whole subject (RFC 4514).
 */
dn: string, };

export type Triage = { business_type: "new" | "renew" | "change" | "replace" | "unlock" | "revoke" | "suspend" | "key_recovery" | "annual_check" | "unsuspend", route: TriageRoute, route_zh: string, 
/**
 * The guide's words that decide it (or what the counter says where the guide is silent).
 */
reason: string, 
/**
 * Whether `reason` quotes the project's guide.
 */
quoted: boolean, 
/**
 * The checklist of `business_type` (empty where the guide asks no paper).
 */
materials: Array<MaterialItem>, differences: Array<Difference>, refused?: Refused, 
/**
 * The certificate judged.
 */
certificate: BroughtCert, state: Validity, 
/**
 * Days left while valid, days past its end once expired, on the counter's day.
 */
days: number, };

export type Typed = { cert_kind: "organization" | "employee" | "personal" | null, name: string | null, uscc: string | null, 
/**
 * Certificate holders (an employee case's annex rows), for per-holder copies.
 */
holders: number | null, };

export type IntakeTyped = { project: string, business: "new" | "renew" | "change" | "replace" | "unlock" | "revoke" | "suspend" | "key_recovery" | "annual_check" | "unsuspend", cert_kind: "organization" | "employee" | "personal", uscc: string, handler_id: string, holders: number | null, 
/**
 * The case being corrected (its own letter is not "on file" for itself).
 */
editing: string | null, };

export type IntakeOnFile = { 
/**
 * The checklist items (by id) the handler's letter on file covers, with the letter.
 */
letters: Array<LetterOnFile>, 
/**
 * The unit's cases here (cancelled ones left out).
 */
cases: number, licence_valid_until: string | null, 
/**
 * Certificates the key desk wrote for the unit here.
 */
certificates: number, };

export type LetterOnFile = { id: string, holder: string, until: string, case: string, };

export type Difference = { 
/**
 * The case JSON's path (`organization.name`, `organization.uscc`).
 */
field: string, typed: string, on_key: string, };

export type Refused = { business: "new" | "renew" | "change" | "replace" | "unlock" | "revoke" | "suspend" | "key_recovery" | "annual_check" | "unsuspend", why: string, };

export type Validity = "valid" | "expired";

export type TriageRoute = "online" | "counter_or_online" | "counter" | "counter_or_post";

export type Section = { 
/**
 * `case`, `organization`, `handler`, `employees`, `invoice`, `delivery`, `project_fields`, `payment`.
 */
id: string, title: string, fields: Array<FieldSpec>, };

export type FieldSpec = { 
/**
 * The case JSON's path (`invoice.title`, `employees[].years`, `extra.banner_district`).
 */
key: string, label: string, 
/**
 * `text`, `date` (`YYYY-MM-DD`), `choice`, `count`.
 */
kind: string, 
/**
 * Required whatever else the form holds.
 */
required: boolean, 
/**
 * Required once `required_when` holds (`delivery.address` when `delivery.method` is `mail`).
 */
required_when?: When, 
/**
 * Why it is required or asked, in the seed's or the form's words.
 */
why?: string, choices?: Array<Choice>, 
/**
 * The value a choice starts with.
 */
default?: string, 
/**
 * The identifier check a typed value gets (`check_ident`'s kinds: uscc, ric, mobile,
 * email, postcode, phone), when `ident_when` holds (an ID number is checked as a resident
 * ID only when its type is one).
 */
ident?: string, ident_when?: When, 
/**
 * Shown (and written into the case) only while this holds: a posted case's arrival only
 * when the channel is 邮寄 (#73).
 */
shown_when?: When, };

export type Choice = { value: string, label: string, };

export type When = { key: string, equals: string, };

export type RuleView = { id: string, text: string, 
/**
 * The field the rule is about.
 */
key: string, };

export type Per = "year" | "unit" | "case";

export type MaterialItem = { id: string, text: string, kind: MaterialKind, original: boolean, copies: number, stamped: boolean, optional: boolean, note: string | null, 
/**
 * `copies` is per holder (seed 001: "使用人《身份证》复印件一份" for each user): a case of
 * twenty employees needs twenty (#72). `Project::checklist_for` counts them.
 */
per_holder?: boolean, 
/**
 * The original need not be seen once the unit has proved itself at the desk with its own
 * organisation certificate (#74, seed 001: "可凭单位法人数字证书到受理点，可以免去出示…原件");
 * its copies are still taken. Only on an item that asks for an original.
 */
waived_by_unit_certificate?: boolean, };

export type MaterialKind = "form" | "document" | "id_copy" | "authorization" | "payment_proof" | "old_key" | "other";

export type CaseSummary = { number: string, status: string, project: string, business: string, cert_kind: string, 
/**
 * The organisation name (`organization.name`), empty for personal certificates.
 */
organization: string, handler: string, created_at: string, 
/**
 * The last change; for a case waiting for review, when it was submitted.
 */
updated_at: string, };

export type AuditEvent = { seq: number, at: string, actor: string, action: string, case_number: string | null, digest_before: string | null, digest_after: string | null, 
/**
 * JSON object: reason, status before and after, anything the action adds.
 */
detail: JsonValue, prev_hash: string, hash: string, };

export type AttachmentInfo = { name: string, mime: string, size: number, sha256: string, at: string, actor: string, };

export type TokenView = { slot_index: number, slot_description: string, label: string, serial: string, model: string, manufacturer: string, free_public_memory: number | null, initialized: boolean, user_pin_initialized: boolean, user_pin_count_low: boolean, user_pin_final_try: boolean, user_pin_locked: boolean, user_pin_to_be_changed: boolean, so_pin_count_low: boolean, so_pin_final_try: boolean, so_pin_locked: boolean, };

export type LibraryCheck = { "state": "usable", backend: Backend, slots: number, tokens: number, } | { "state": "not_found" } | { "state": "not_a_file" } | { "state": "wrong_architecture", found: string, expected: string, } | { "state": "not_a_library" } | { "state": "not_a_key_library" } | { "state": "load_failed", why: string, };

export type SignIns = { now: Array<SignIn>, last: { [key in string]: SignIn }, };

export type SignIn = { account: string, 
/**
 * the PC's name
 */
desk: string, started_at: string, seen_at: string, ended_at: string | null, };

export type AuditQuery = { from: string, to: string, actor: string | null, case_number: string | null, action: string | null, before: number | null, };

export type AuditPage = { events: Array<AuditEvent>, more: boolean, actions: Array<string>, };

export type RecoverySheet = { 
/**
 * 受理点 code and name, as the settings have them now (empty before they are set)
 */
counter: string, 
/**
 * the counter's day it was made (YYYY-MM-DD)
 */
date: string, 
/**
 * `RK1` and its 11 groups of five characters
 */
groups: Array<string>, keep: Array<string>, };

export type Backend = "pkcs11" | "skf";

export type SlotView = { slot_index: number, description: string, token: TokenView | null, };

export type KeyView = { 
/**
 * CKA_ID, hex.
 */
id: string, algo: Algo, label: string, 
/**
 * SHA-256 of the public key bits, hex: what a certificate is matched by.
 */
public_key_sha256: string, };

export type Algo = "rsa2048" | "ec-p256" | "sm2";

export type CertView = { 
/**
 * The key it belongs to (CKA_ID, hex; SKF: the container), empty for CA certificates.
 */
id: string, label: string, usage: CertUsage, subject: string, issuer: string, serial_hex: string, 
/**
 * The same serial number (hex): the name `key show --json` readers look for.
 */
serial: string, not_after: string, 
/**
 * Whether a key with the same CKA_ID is on the token.
 */
has_key: boolean, 
/**
 * SHA-256 of the certificate's DER, hex: how a staff key's certificate is named (#31).
 */
sha256: string, };

export type CertUsage = "sign" | "encrypt" | "ca";

export type EnvelopeFormat = "gmt0009" | "skf" | "gmt0092";

export type DataView = { application: string, label: string, size: number, sha256: string, };

export type Contents = { token: TokenView, keys: Array<KeyView>, certificates: Array<CertView>, data: Array<DataView>, };

export type ReaderState = { reader: string, card_present: boolean, 
/**
 * Upper-case hex, space separated.
 */
atr: string | null, 
/**
 * The key model when the ATR is known, else `None` ("unknown" at the desk).
 */
model: string | null, };

export type PcscProblem = "no_service" | "no_reader" | "no_card" | "removed" | "failed";

export type FormPages = { id: string, title: string, pages: number, };

export type Sheet = { width: number, height: number, svg: string, };

export type Preview = { forms: Array<FormPages>, sheets: Array<Sheet>, };

export type CardForIntake = { 
/**
 * `resident`, `hmt_residence`, `foreign_permanent` (the CLI's `card_type`)
 */
card_type: string, 
/**
 * 居民身份证, 港澳台居民居住证, 外国人永久居留身份证
 */
card_type_zh: string, 
/**
 * the case JSON's `id_type` for this card
 */
id_type: string, name: string, sex: string, nation: string | null, birth_date: string, address: string | null, id_number: string, issuer: string | null, valid_from: string, 
/**
 * `YYYY-MM-DD` or `长期`
 */
valid_to: string, english_name: string | null, nationality: string | null, pass_number: string | null, 
/**
 * `valid`, `expired`, `not_yet_valid` on the counter's today
 */
validity: string, 
/**
 * why the card cannot be used, in Chinese with the seed's words; `None`: it can
 */
refused: string | null, 
/**
 * the photo as a BMP data URL, only when a vendor library decoded it (never stored)
 */
photo: string | null, };

export type HallStatus = { 
/**
 * the address, `USER@HOST:PORT[,HOST:PORT…]/DB`
 */
address: string, 
/**
 * the server that takes writes; `None`: no server of the address takes writes now
 * (服务器切换中: the primary gone, its standby not promoted yet)
 */
writable: ServerName | null, 
/**
 * whether this desk can write now: a server of its address takes writes and answered it
 */
can_write: boolean, 
/**
 * the server this desk's connection is on; `None` when asked without a connection or
 * after the connection was lost
 */
connected: ServerName | null, 
/**
 * every server the address names, in its order, as it answered
 */
servers: Array<ServerState>, 
/**
 * the writable server's standbys, with their lag
 */
standbys: Array<Standby>, 
/**
 * the writable server's `synchronous_standby_names` (empty: it commits alone)
 */
synchronous_standby_names: string | null, 
/**
 * the writable server waits at each commit for a synchronous standby and none is
 * connected: every change will wait `standby_wait` and be reported saved but unconfirmed
 */
commits_wait_for_standby: boolean, 
/**
 * PostgreSQL hid the standbys' state and lag from this role (grant it `pg_monitor`)
 */
standby_details_hidden: boolean, 
/**
 * more than one server of the address takes writes: two primaries (the old one started
 * again as a writer after a failover). Stop one before anything else is written.
 */
several_writable: boolean, };

export type ServerName = { 
/**
 * the host name or address as the address gives it (a socket folder for a local socket)
 */
host: string, port: number, };

export type ServerState = { server: ServerName, role: ServerRole, 
/**
 * `pg_is_in_recovery()`
 */
in_recovery: boolean | null, 
/**
 * `transaction_read_only` of a session there
 */
read_only: boolean | null, 
/**
 * why it did not answer
 */
error: string | null, };

export type ServerRole = "primary" | "standby" | "unreachable";

export type Standby = { 
/**
 * its `application_name` (`cluster_name` by default)
 */
name: string, client_addr: string | null, 
/**
 * `streaming`, `catchup`, `startup`, …; `None` when hidden from this role
 */
state: string | null, 
/**
 * `sync`, `quorum`, `potential`, `async`; `None` when hidden from this role
 */
sync_state: string | null, write_lag_ms: number | null, flush_lag_ms: number | null, replay_lag_ms: number | null, replay_behind_bytes: number | null, };

export type SampleView = { row: number, col: number, kind: string, empty: boolean, defects: Array<string>, 
/**
 * The reason behind each label that has one (a label without one is named by itself).
 */
findings: Array<FindingView>, 
/**
 * The checks the importer could not make on this sample (the label it would have looked
 * for, and the quantity past the limit within which that check is read): shown beside the
 * verdict, doubted or not, since no label is then no clean bill for that check.
 */
unchecked: Array<FindingView>, 
/**
 * The importer doubts the impression: it holds ink and at least one label, also when the
 * label is `empty` for ink set aside as a stain (its image is then shown). The clerk may
 * accept it (`accept_sample`).
 */
doubted: boolean, 
/**
 * The clerk accepted this doubted impression as the row's seal.
 */
accepted: boolean, score: number, best: boolean, box_quad: [[number, number], [number, number], [number, number], [number, number]], diameter_mm: number | null, side_mm: number | null, 
/**
 * The cleaned impression as a `data:image/png` URL.
 */
image_url: string | null, };

export type RowView = { row: number, kind: string, best_col: number | null, needs_restamp: boolean, 
/**
 * The row is one box of a printed row whose boxes are for different things (CFCA's
 * 企业公章 | 法人方章 | 法人签字, #74): the screen names it by what it is for, not by a row.
 */
single_box: boolean, 
/**
 * The row is a column of the sheet (its kinds run down its columns: such a printed row
 * asked for more than once, #76): the screen says 第n列, and a sample's place down it.
 */
column: boolean, };

export type Verdict = { samples: Array<SampleView>, rows: Array<RowView>, 
/**
 * The paper's colour, left to the clerk's eye once for the sheet (#76): its tint lies where
 * a light stock and a scanner's or camera's colour cast read alike. The most tinted box's
 * reading; not repeated in the samples' `unchecked`.
 */
paper_unchecked: FindingView | null, 
/**
 * The scan, downscaled for the screen, as a `data:image/jpeg` URL; `box_quad` is in
 * pixels of the full scan (`width` × `height`).
 */
scan_url: string, width: number, height: number, 
/**
 * Names of the seal images stored with the case.
 */
stored: Array<string>, 
/**
 * The scan's resolution (dots per inch), where it came from (`option`, `file`, `a4_page`,
 * `assumed`, `paper_edges`) and, when the sizes in mm cannot be trusted, why
 * (`dpi_disagrees_with_page`, `dpi_not_from_a4_page`, `dpi_assumed`).
 */
dpi: number, dpi_source: string, size_warning: string | null, };

export type StepView = { step: string, done: boolean, at: string | null, detail: JsonValue | null, };

export type KeyStatus = { case: string, status: string, 
/**
 * The certificate these steps are of (1-based): the one asked for, else the first not
 * finished (#28).
 */
cert: number, 
/**
 * Its holder.
 */
holder: string, 
/**
 * Every certificate of the case: the key desk's queue.
 */
certs: Array<CertState>, token_serial: string | null, steps: Array<StepView>, 
/**
 * What to do next, or `None` when only the hand-over is left.
 */
next: string | null, 
/**
 * The case has a seal image to write.
 */
has_seal: boolean, 
/**
 * The case's project issues dual certificates: the encryption key pair and certificate
 * follow the signing certificate (`encryption_imported` is among the steps).
 */
dual: boolean, 
/**
 * The key algorithms the case's project issues (`rsa2048`, `ec-p256`, `sm2`), its
 * default first: what the key desk offers for `key_generated`.
 */
algorithms: Array<string>, 
/**
 * The key's user PIN is still a CA's published default (the applicant must change it):
 * what the chain last recorded for this key, whatever case it was for.
 */
default_pin_warning: boolean, 
/**
 * The wrong PINs the case's CA lets a key take before it locks (`[pin] max_tries`), shown
 * beside the PIN fields and written onto an SKF key at its initialisation.
 */
pin_max_tries: number | null, 
/**
 * The key desk's stepper: the issuance steps this case has (the seal image only when
 * there is one), then reading the key back (`verify`) and the hand-over (`deliver`).
 */
desk_steps: Array<DeskStep>, 
/**
 * The first step of `desk_steps` not done, where the key desk resumes.
 */
desk_next: string, 
/**
 * The label the shown certificate's key gets (or has): the case number for a case of one
 * certificate, else `<case>-<K>`.
 */
label: string, 
/**
 * Where the case's certificates stand as a batch, and which key to plug.
 */
batch: BatchView, 
/**
 * This session holds the batch's SO PIN and initial user PIN for the case (#72): the key
 * desk asks for no PIN (never the PINs themselves).
 */
batch_pins_held: boolean, 
/**
 * A key of the batch is still to initialise: the batch's PINs include the SO PIN (a
 * restart in the write round asks the user PIN alone).
 */
so_pin_needed: boolean, 
/**
 * The case's project has an RA set (#72): the key pair, the request and the certificate
 * in one step while the key is plugged (`key_enrol`).
 */
online: boolean, };

export type Generated = { 
/**
 * The certificate the key pair is for (1-based) and its holder.
 */
cert: number, holder: string, key_id: string, algo: string, public_key_sha256: string, csr_pem: string, package_path: string, };

export type ImportedCert = { 
/**
 * The certificate of the case it answers (matched by its public key) and its holder.
 */
cert: number, holder: string, subject: string, issuer: string, serial_hex: string, not_after: string, 
/**
 * The chain ends at a CA certificate the project configures (`forms/<project>/ca/`); false
 * when the project configures none, so that only the signatures of what the CA sent along
 * were checked.
 */
issuer_trusted: boolean, 
/**
 * Certificates of the CA's file that are not on the chain: not kept, not written.
 */
left_out: Array<string>, };

export type Written = { 
/**
 * The certificate of the case written (1-based) and its holder.
 */
cert: number, holder: string, serial_hex: string, subject: string, not_after: string, key_id: string, };

export type EncWritten = { 
/**
 * The key (SKF container) holding both key pairs.
 */
key_id: string, format: EnvelopeFormat, serial_hex: string, subject: string, issuer: string, not_after: string, 
/**
 * The encryption certificate chains to a CA certificate the project configures.
 */
issuer_trusted: boolean, };

export type SealWritten = { name: string, size: number, sha256: string, images: Array<SealImageOnKey>, 
/**
 * The case's images left off this unit's key because the project keeps the legal
 * representative's apart and the unit did not consent (`rules.legal_rep_apart`), and the
 * guide's words why.
 */
kept_apart: Array<string>, kept_apart_why: string | null, };

export type SealImageOnKey = { name: string, label: string, size: number, sha256: string, };

export type Missing = { id: string, text: string, 
/**
 * The applicant's promise recorded by the clerk (后补说明); `None`: not accounted for.
 */
to_follow: string | null, };

export type MaterialsState = { 
/**
 * Whether the case records a checklist at all (the intake screen always does; a case file
 * imported from elsewhere may not).
 */
recorded: boolean, 
/**
 * Every item of the checklist with its state.
 */
items: Array<ItemState>, 
/**
 * The required items not handed in in full (to follow or missing).
 */
missing: Array<Missing>, };

export type Briefing = { ca_name: string, notes: Array<string>, bank: BankDetails | null, 
/**
 * The CA's published default user PIN: the applicant must change it.
 */
default_pin: string | null, 
/**
 * The counter rules the project applies, each as the seed says it.
 */
rules: Array<string>, hours: string, phone: Array<string>, postal_address: string | null, };

export type BankDetails = { payee: string, bank: string, account: string, remark: string | null, };

export type LedgerRow = { key: string, cases: number, amount: string, 
/**
 * The certificates of these cases (#28: an employee case has one per annex row), withdrawn
 * ones included: what was charged for.
 */
certs: number, 
/**
 * Of them, written to a key now.
 */
written: number, 
/**
 * Of them, withdrawn by a supervisor.
 */
withdrawn: number, };

export type DailyLedger = { date: string, cases: number, total: string, by_business: Array<LedgerRow>, by_project: Array<LedgerRow>, by_payment: Array<LedgerRow>, by_clerk: Array<LedgerRow>, 
/**
 * The day's cases by where they stand now (#79: a case sent back by the supervisor is
 * still the day's, taken and paid, so it stays in 案件数 and 收费合计; this shows it apart
 * as 已退回).
 */
by_status: Array<LedgerRow>, keys_issued: number, delivered: number, 
/**
 * The invoices the day's cases asked for (seed 002 发票), one row per case.
 */
invoices: Array<InvoiceRow>, 
/**
 * The certificates of the day's cases, withdrawn ones included.
 */
certificates: number, 
/**
 * Of them, written to a key now.
 */
certificates_written: number, 
/**
 * Of them, withdrawn by a supervisor.
 */
certificates_withdrawn: number, 
/**
 * The day's cases one by one, with their certificates.
 */
by_case: Array<CaseRow>, 
/**
 * The day signed off (日结, #31), once a supervisor has closed it.
 */
close: LedgerClose | null, 
/**
 * While the day is open: why the signed-in account cannot close it, said where the
 * 日结 button would be, before any PIN is asked (#79). `None` when it can, or once closed.
 */
close_blocked: CloseBlocked | null, };

export type InvoiceRow = { case: string, 
/**
 * `normal` | `special`
 */
kind: string, title: string, taxpayer_id: string | null, amount: string, };

export type CaseRow = { case: string, project: string, 
/**
 * the business type's wire name (`new`, `renew` …)
 */
business: string, 
/**
 * the unit, or the person of a personal case
 */
applicant: string, 
/**
 * What was charged (the payment recorded). A withdrawal leaves it as it is: the seeds
 * give no refund rule, so the ledger shows the withdrawal beside the fee.
 */
amount: string, certs: number, written: number, withdrawn: Array<WithdrawnCert>, 
/**
 * the case's status now (wire name)
 */
status: string, };

export type WithdrawnCert = { cert: number, holder: string, reason: string, 
/**
 * the supervisor, by 姓名 where the account has one
 */
by: string, 
/**
 * when (UTC, as stored)
 */
at: string, };

export type Expiring = { case: string, organization: string, handler: string, 
/**
 * The handler's phone, masked (`137****2222`): the full number is on the case's page.
 */
mobile: string | null, certificate_serial: string, subject: string, not_after: string, days_left: number, 
/**
 * Which certificate of the case (1-based, #28).
 */
cert: number, 
/**
 * Whose certificate: the employee, the unit or the person (the handler and mobile stay
 * the unit's contact).
 */
holder: string, };

export type DueList = { 
/**
 * YYYY-MM-DD
 */
day: string, due_today: Array<PromisedCase>, 
/**
 * the latest first
 */
late: Array<PromisedCase>, 
/**
 * the longest waiting first
 */
waiting: Array<AwaitingCase>, 
/**
 * cases on the clock and not due yet
 */
running: number, 
/**
 * years in the lists' range without a holiday notice: counted Monday–Friday only
 */
without_notice: Array<number>, 
/**
 * returned to the counter, the longest waiting first (on the clock too: listed above as well)
 */
returned: Array<ReturnedCase>, };

export type PromisedCase = { number: string, project: string, business: string, status: string, organization: string, channel: string, 
/**
 * what is promised (审核, 寄出数字证书)
 */
promise: string, 
/**
 * its term as the guide says it (3个工作日, 24小时)
 */
term: string, 
/**
 * the guide's words
 */
quote: string, 
/**
 * when the clock started (YYYY-MM-DD)
 */
start: string, 
/**
 * YYYY-MM-DD
 */
due: string, 
/**
 * working days left after the day asked (calendar days for an hours promise); negative:
 * the days late
 */
days_left: number, };

export type AwaitingCase = { number: string, project: string, business: string, status: string, organization: string, channel: string, 
/**
 * the day its paper came in (YYYY-MM-DD)
 */
received: string, 
/**
 * `materials`, `payment`
 */
waiting_on: Array<string>, 
/**
 * 材料后补, 款项未到账
 */
waiting_zh: Array<string>, 
/**
 * what its promise will be once the clock runs, if the project makes one
 */
promise: string | null, };

export type ReturnedCase = { number: string, project: string, business: string, organization: string, channel: string, 
/**
 * the supervisor's reason, as typed
 */
reason: string, 
/**
 * the supervisor's account
 */
returned_by: string, 
/**
 * the supervisor's 姓名 (the account where none is set)
 */
returned_by_name: string, 
/**
 * RFC 3339, UTC
 */
returned_at: string, };

export type ImportReport = { file: string, sha256: string, 
/**
 * the credits (money in) the statement holds
 */
credits: number, 
/**
 * of them, recorded now (the others were imported before)
 */
new: number, 
/**
 * debit and zero rows passed over
 */
skipped_debits: number, matched: Array<{ credit: string, cases: string[] }>, unmatched: Array<{ credit: string, why: string }>, refused: Array<{ credit: string, why: string }>, 
/**
 * credits imported before: nothing added for them
 */
repeated: Array<string>, 
/**
 * rows that could not be read, each with where and why
 */
problems: Array<{ row: number, column: string, header: string, why: string }>, };

export type Credit = { id: string, 
/**
 * the SHA-256 of the statement it first came in
 */
statement: string, row: number, 
/**
 * YYYY-MM-DD
 */
day: string, amount: string, payer_name: string, payer_account: string, remark: string, state: CreditState, why: string, 
/**
 * the cases the matcher proposed
 */
proposed: Array<string>, 
/**
 * the cases it was confirmed for
 */
cases: Array<string>, imported_at: string, imported_by: string, };

export type CreditState = "proposed" | "unmatched" | "refused" | "confirmed";

export type AppStatus = { signed_in: Actor | null, 
/**
 * 姓名 by login (the UI shows people, not logins); empty before sign-in.
 */
people: { [key in string]: string }, 
/**
 * The case statuses and account roles with their labels (the screens' lists).
 */
labels: Labels, 
/**
 * The account whose session at this window is locked (its desks stay on screen under the
 * lock screen until its password unlocks it); `None` when it is not locked.
 */
locked: string | null, 
/**
 * The minutes without use after which the window locks (the `idle_minutes` setting when
 * signed in), for the window's own timer.
 */
idle_minutes: number | null, 
/**
 * The session signed in with a USB key (#31): the window asks `staff_key_watch` every
 * second or two, and pulling the key out locks it.
 */
key_watch: boolean, 
/**
 * The signed-in account must change its password before anything else: the window shows
 * only the change form, and the backend refuses every other desk (`password_change_first`).
 */
must_change: boolean, first_run: boolean, 
/**
 * The store is an encrypted file (#30): the sign-in opens it, the set-up shows its
 * recovery key.
 */
encrypted: boolean, counter_code: string, counter_name: string, 
/**
 * The hall's server this desk works on (`USER@HOST:PORT/DB`), `None` on a store file.
 */
server: string | null, };

export type KeyWatch = { watched: boolean, present: boolean, locked: boolean, };

export type LedgerPrinted = { path: string, pages: number, bytes: number, };

export type LedgerCheck = { ok: boolean, 
/**
 * the close's reference the file carries in its 日结签名 row; none when it was exported
 * before the close (its figures are still compared)
 */
reference: string | null, 
/**
 * how many figures were compared
 */
compared: number, problems: Array<string>, };

export type LedgerClose = { 
/**
 * what the printed ledger's QR code carries (`day verify --reference`)
 */
reference: string, 
/**
 * the supervisor's account
 */
account: string, 
/**
 * the supervisor, by 姓名 where the account has one
 */
by: string, 
/**
 * when, the counter's local `YYYY-MM-DD HH:MM`
 */
at: string, 
/**
 * the SHA-256 of the certificate that signed
 */
fingerprint: string, };

export type CloseBlocked = "not_supervisor" | "ahead" | "no_key_enrolled";

export type SignedIn = { must_change: boolean, 
/**
 * signed in with the account's own USB key (#31): its approvals ask the key's PIN
 */
key: boolean, name: string, roles: Array<Role>, };

export type SetUp = { recovery_key: string | null, name: string, roles: Array<Role>, };

export type AllowedAction = { action: string, needs_reason: boolean, 
/**
 * What must be done before the action goes through (the screen shows it and keeps the
 * button disabled): `materials_missing` where required materials are neither handed in
 * nor promised (#79). The rules here do not know materials: the desk sets it.
 */
waits_for: string | null, 
/**
 * The account approves with its USB key's signature (#31: an enrolled key it must use):
 * the screen asks the key's PIN with the button, before it is pressed. The rules here do
 * not know enrolments: the desk sets it.
 */
signed: boolean, };

export type CaseCapabilities = { actions: Array<AllowedAction>, 
/**
 * Correct the case data.
 */
edit: boolean, 
/**
 * Import the seal sheet or attach a file.
 */
attach: boolean, 
/**
 * Print the forms.
 */
print: boolean, 
/**
 * Work on the case at the key desk.
 */
key_desk: boolean, 
/**
 * The certificates this account may withdraw now (a supervisor, before they are written;
 * the reason is asked), by index.
 */
withdraw_certs: Array<number>, 
/**
 * The certificates this account may allow a second key for now (a supervisor, once
 * written: 登记补办; the reason is asked), by index.
 */
reissue_certs: Array<number>, };

export type CaseView = { case: JsonValue, history: Array<AuditEvent>, attachments: Array<AttachmentInfo>, can: CaseCapabilities, 
/**
 * The case's way to 归档: its steps, done or not, and the next one.
 */
steps: CaseSteps, 
/**
 * The checklist, each item's received state and what the applicant promised.
 */
materials: MaterialsState, 
/**
 * 姓名 by login of the accounts that have one (the UI shows people, not logins).
 */
people: { [key in string]: string }, 
/**
 * The amount paid in capital Chinese numerals (壹佰元整), as receipts and forms write it.
 */
payment_capital: string | null, 
/**
 * Whether this account may prove the case's unit with its own certificate now (#74): the
 * case is editable, not proved yet, names its unit's code, and its checklist has an
 * original the guide spares for it.
 */
unit_proof_offered: boolean, 
/**
 * What the CA's unit rules say of the case now (a unit's organisation certificate not on
 * file before its employees'), as the intake warned when it was saved: shown on the case
 * and review pages until its keys are made.
 */
notices: Array<FieldProblem>, 
/**
 * The case's legal hold (冻结, #30) and what this account may do of it.
 */
hold: CaseHoldView, };

export type CaseHoldView = { held: HeldCase | null, may_hold: boolean, may_release: boolean, };

export type QueuedCase = { submitted_by: string, number: string, status: string, project: string, business: string, cert_kind: string, 
/**
 * The organisation name (`organization.name`), empty for personal certificates.
 */
organization: string, handler: string, created_at: string, 
/**
 * The last change; for a case waiting for review, when it was submitted.
 */
updated_at: string, };

export type StepState = { id: string, title: string, done: boolean, 
/**
 * Who does it: `clerk`, `supervisor` or `key_clerk`.
 */
role: Role, 
/**
 * Done at the key desk (`certdesk key …`), not with `case complete`.
 */
key_desk: boolean, 
/**
 * A confirmation that records the reference of what was done elsewhere.
 */
needs_reference: boolean, 
/**
 * When it was done (the event's time, UTC).
 */
at: string | null, };

export type CaseSteps = { number: string, status: string, 
/**
 * The case's plan; a key-desk step of a certificate round is `done` when it is done for
 * every certificate not withdrawn.
 */
steps: Array<StepState>, 
/**
 * The next step: the next of the first unfinished certificate while keys are being made.
 */
next: string | null, 
/**
 * Every certificate of the case, in index order (#28).
 */
certs: Array<CertState>, };

export type CertState = { index: number, holder: string, key_serial: string | null, 
/**
 * Written, and every later step of its round done (the encryption pair, the seal image).
 */
done: boolean, withdrawn: boolean, 
/**
 * Its next key-desk step's id; none when done or withdrawn.
 */
next: string | null, holder_id: string | null, key_label: string | null, certificate_serial: string | null, not_after: string | null, withdrawn_reason: string | null, 
/**
 * Its key round's steps.
 */
steps: Array<StepState>, };

export type BatchView = { 
/**
 * Certificates not withdrawn.
 */
total: number, 
/**
 * Of them, done (written, and every later step of their round).
 */
done: number, 
/**
 * Of them, with their key pair made (#72: "n/20 made" in the batch bar).
 */
made: number, 
/**
 * Of them, with their certificate written to their key.
 */
written: number, withdrawn: number, 
/**
 * Where the shown certificate is: `keys` (its key to be made on a blank key), `answers`
 * (its request is with the CA), `write` (its issued certificate to be written to its key),
 * `done` (every certificate done or withdrawn).
 */
phase: string, 
/**
 * The certificates whose request waits for the CA's answer, by index.
 */
awaiting_answers: Array<number>, 
/**
 * The key the shown certificate's step needs; none when it needs a blank key.
 */
plug: PlugKey | null, 
/**
 * The plugged key is the key of this certificate of the case.
 */
plugged_cert: number | null, 
/**
 * The request packages of the certificates waiting for the CA, where key generation
 * wrote them: what goes to the CA together.
 */
requests: Array<RequestPackage>, };

export type PlugKey = { cert: number, holder: string, label: string | null, serial: string, };

export type RequestPackage = { cert: number, holder: string, 
/**
 * the package (JSON: the case, the subject, the key, the request)
 */
package: string | null, 
/**
 * the request alone (PEM)
 */
csr: string, };

export type BatchImported = { matched: Array<ImportedCert>, 
/**
 * The certificates (not withdrawn) still without an issued certificate, by index.
 */
waiting: Array<number>, };

export type RaView = { project: string, url: string, ca_subject: string, ca_sha256: string, ca_not_after: string, challenge_set: boolean, };

export type Enrolled = { generated: Generated, imported: ImportedCert, };

export type RequestsFolder = { folder: string, files: number, };

export type AnswerRefusal = { 
/**
 * the file it came in
 */
file: string, subject: string, serial: string, 
/**
 * `no_match`, `duplicate`, `already_imported`, `already_written`, `withdrawn`, `invalid`
 * (expired, another holder, a chain that does not hold), `unreadable`
 */
code: string, why: string, };

export type CasePage = { 
/**
 * every case matching the search and the filters (`capped`: at least this many)
 */
total: number, offset: number, rows: Array<CaseSummary>, 
/**
 * a search stops at its best `SEARCH_HITS` hits: the total may be more
 */
capped: boolean, };

export type PickKind = "folder" | "module" | "store" | "recovery_file";

export type HelpTopic = "start" | "setup" | "intake" | "cases" | "review" | "keys" | "reports" | "admin" | "staff_key" | "intake_unit" | "intake_handler" | "intake_employees" | "intake_materials" | "intake_payment" | "case_page" | "case_returned" | "case_posted" | "admin_accounts" | "admin_staff_keys" | "admin_settings" | "admin_online" | "admin_backup";

export type Imported = { number: string, warnings: Array<FieldProblem>, };

export type ProjectView = { id: string, ca_name: string, ca_short: string, service: string, 
/**
 * wire names (`organization` …), as the case JSON spells them
 */
cert_kinds: Array<string>, business_types: Array<string>, media: Array<string>, years: Array<number>, 
/**
 * how many forms the project prints
 */
forms: number, 
/**
 * What the clerk must know at intake (notes, bank, default PIN, counter rules).
 */
briefing: Briefing, 
/**
 * Whether a unit may come back with its key (#74): the project renews or changes
 * certificates, or its guide says what a key's certificate decides.
 */
reads_old_key: boolean, };

export type ErrorKind = "usage" | "case_not_found" | "not_found" | "transition" | "changed_meanwhile" | "not_a_store" | "backup_exists" | "backup_key" | "hall_not_empty" | "attachment_name" | "invalid_json" | "invalid_case" | "invalid_counter_code" | "invalid_case_number" | "invalid_day" | "day_range" | "too_large" | "out_of_range" | "unknown_value" | "unknown_setting" | "unknown_project" | "not_a_file_name" | "not_direct" | "fee_refused" | "catalog" | "store" | "store_busy" | "server_lost" | "server_commit_unknown" | "server_switching" | "server_standby_wait" | "server_write_wait" | "server" | "hall_address" | "hall_needs_tls" | "hall_password_missing" | "password_file_open" | "store_setting" | "not_a_hall" | "not_on_hall" | "store_encrypted" | "key_file" | "io" | "internal" | "cancelled" | "wrong_password" | "account_locked" | "key_required" | "enrolment_expired" | "wrong_staff_key" | "staff_key_not_plugged" | "challenge_expired" | "staff_certificate" | "signature_required" | "signature_refused" | "account_disabled" | "not_signed_in" | "no_account" | "passwords_differ" | "empty_secret" | "session_expired" | "session_locked" | "password_change_first" | "refused" | "account_name_invalid" | "password_too_short" | "password_policy" | "password_reused" | "account_needs_role" | "admin_only" | "day_closed" | "day_moved" | "own_account" | "account_exists" | "accounts_exist" | "first_account_admin" | "no_key_enrolled" | "store_exists" | "not_encrypted" | "encrypted_already" | "account_not_found" | "display_name_invalid" | "four_eyes" | "missing_role" | "reason_required" | "approval_void" | "not_editable" | "not_approved" | "reissue_needed" | "reissue_which" | "nothing_to_reissue" | "case_purged" | "held_already" | "not_held" | "audit_broken" | "no_such_cert" | "no_cert_waiting" | "cert_withdrawn" | "cert_written" | "withdraw_all" | "annex_frozen" | "wrong_key" | "batch_refused" | "employee_list" | "no_such_step" | "step_done" | "key_desk_step" | "no_step_left" | "not_next_step" | "not_in_plan" | "reference_required" | "invalid_reference" | "waybill_required" | "invalid_waybill" | "mail_to_legal_address" | "invalid_collector_id" | "collector_incomplete" | "materials_missing" | "materials_to_follow" | "seal_samples_missing" | "money_not_in" | "statement_unreadable" | "payment_refused" | "no_bank_credit" | "paid_by_another" | "no_unit_certificate" | "unit_proof_refused" | "no_module" | "pcsc_unavailable" | "token_not_found" | "token_ambiguous" | "pin_incorrect" | "pin_required" | "ra_not_set" | "ra_unreachable" | "ra_refused" | "ra_pending" | "ra_not_pinned" | "ra_answer" | "pin_locked" | "so_pin_incorrect" | "so_pin_locked" | "pin_refused" | "token_removed" | "cert_mismatch" | "cert_unreadable" | "no_case_for_certificate" | "key_step_out_of_order" | "algo_not_issued" | "algo_unsupported" | "project_keys" | "no_subject" | "envelope_unreadable" | "envelope_unsupported" | "token" | "forms" | "form_field_missing" | "unknown_form" | "nothing_to_print" | "print" | "seal_unreadable" | "idcard_no_card" | "idcard_removed" | "idcard_not_set" | "idcard_no_reader" | "key_library_missing" | "idcard_read_failed" | "idcard_bad_data" | "idcard_unsupported" | "no_seal_image" | "not_png" | "not_an_image" | "no_scan_folder" | "no_seal_sheet" | "seal_scan_changed" | "no_such_seal_sample" | "seal_sample_empty" | "seal_sample_not_doubted";

export type IpcError = { kind: ErrorKind, detail: string, };

export type Printed = { 
/**
 * The PDF kept in the print folder: the record of what was printed.
 */
path: string, pages: number, bytes: number, forms: Array<FormPages>, 
/**
 * The same pages for the print dialog (the window shows only these when it prints).
 */
sheets: Array<Sheet>, };

export type PrintOutcome = "printed" | "cancelled" | "opened";

export type KeySlots = { module: string | null, module_error: string | null, slots: Array<SlotView>, readers: Array<ReaderState>, 
/**
 * what is wrong with the smart-card service (the desk's words come from the code); the
 * English detail is for the log and support
 */
pcsc_problem: PcscProblem | null, pcsc_error: string | null, };

export type DeskStep = { id: string, done: boolean, };

export type Exported = { path: string, rows: number, };

export type LogExport = { path: string, rows: number, };

export type AccountView = { name: string, display_name: string, roles: Array<string>, locked: boolean, disabled: boolean, failed_logins: number, created_at: string, 
/**
 * its password was set by an administrator: it changes it at its next sign-in
 */
must_change: boolean, };

export type BackedUp = { path: string, bytes: number, };

export type Restored = { cases: number, kept: string, };

export type StorePlaceView = { 
/**
 * what this program works on now: `file` or `hall`
 */
kind: 'file' | 'hall', 
/**
 * the store file's path, or the hall's server as shown (`USER@HOST:PORT/DB`)
 */
current: string, chosen_by: ChosenBy, 
/**
 * the choice saved in the admin desk (`file` or `hall`), `None` before any
 */
saved_kind: 'file' | 'hall' | null, 
/**
 * the saved hall's address (no password in it)
 */
saved_hall: string | null, 
/**
 * the saved choice is not what runs now: it applies when the program starts again
 */
restart_needed: boolean, 
/**
 * the hall just checked: what its database holds
 */
checked: HallChecked | null, };

export type HallChecked = { server: string, cases: number, accounts: number, 
/**
 * migrations the hall has, and this build's
 */
schema_version: number, schema_known: number, 
/**
 * the hall will be brought up to date when a desk opens it next (as its tables' owner)
 */
migration_pending: boolean, };

export type ChosenBy = "command_line" | "environment" | "setting" | "default";

export type ScanFile = { name: string, size: number, 
/**
 * Last modified, RFC 3339 (local time).
 */
modified: string, };

export type FrontPage = { first_run: boolean, 
/**
 * The store is an encrypted file (#30): the sign-in opens it, the set-up shows its
 * recovery key.
 */
encrypted: boolean, counter_code: string, counter_name: string, 
/**
 * The hall's server this desk works on (`USER@HOST:PORT/DB`), `None` on a store file.
 */
server: string | null, };

export type Label = { id: string, zh: string, en: string, };

export type Labels = { statuses: Array<Label>, roles: Array<Label>, };

export type ItemState = { id: string, text: string, state: MaterialState, 
/**
 * The applicant's promise, for an item to follow.
 */
to_follow: string | null, };

export type MaterialState = "received" | "optional" | "to_follow" | "missing";

export type CaseChange = { from?: string, to: string, roles?: Array<Role>, reason?: string, approval_digest?: string, 
/**
 * files_changed: the files whose arrival voided the approval
 */
files?: Array<string>, 
/**
 * deliver: how the key went back and to whom
 */
handover?: Handover, 
/**
 * submit / approve: the materials not handed in, each with the applicant's promise
 * (`id: note`); at approval, what the supervisor accepted
 */
to_follow?: Array<string>, 
/**
 * approve: the supervisor's key's signature over the approval statement (#31)
 */
signature?: ApprovalSigned, };

export type Handover = { 
/**
 * `pickup` or `mail`
 */
method: string, recipient?: string, recipient_id?: string, courier?: string, waybill?: string, address?: string, };

export type StepConfirmed = { step: string, title: string, reference?: string, };

export type Reissued = { reason: string, roles: Array<Role>, 
/**
 * the certificate whose second key is allowed (absent: certificate 1) and its holder
 */
cert?: number, holder?: string, };

export type FileAdded = { name: string, mime: string, size: number, sha256: string, };

export type CertWithdrawn = { cert: number, holder: string, holder_id?: string, reason: string, roles: Array<Role>, };

export type SealSheet = { file: string, sha256: string, dpi: number, rows: Array<SealRowVerdict>, stored: Array<string>, 
/**
 * set by the store when the sheet sent an approved case back to review
 */
from?: string, to?: string, 
/**
 * #34: where the resolution came from (`option`, `file`, `a4_page`, `assumed`,
 * `paper_edges`), why the sizes may be wrong (absent: trusted), and the SHA-256 of the
 * rules that judged the sheet (`certdesk_seal::thresholds::THRESHOLDS_JSON`). Absent
 * on events written before: those hash as they always did.
 */
dpi_source?: string, size_warning?: string, thresholds_sha256?: string, 
/**
 * #34: the SHA-256 of the code and limits that judged the sheet
 * (`certdesk_seal::VERDICTS_SHA256`), which moves when a measure changes in code and
 * the limits do not. Absent on events written before.
 */
verdicts_sha256?: string, 
/**
 * #74: what the printed sheet's boxes are for, row by row (the layout's seal slots),
 * when the scan's rows were read by it (`certdesk_seal::ImportOptions::printed_rows`),
 * so the sheet is judged again the same way; absent when the ink alone named them.
 */
printed_rows?: Array<Array<string>>, 
/**
 * #76: the paper's colour left to the clerk's eye, asked once for the sheet (its tint
 * lies where a light stock and a scanner's or camera's colour cast read alike): the
 * most tinted box's reading, as the counter screen showed it; absent when the paper was
 * read, and on events written before.
 */
paper_unchecked?: SealFinding, };

export type SealRowVerdict = { row: number, kind: string, best_col: number | null, needs_restamp: boolean, 
/**
 * #34: how many of the row's impressions the importer doubted (labels on a sample that
 * holds ink, ink an empty verdict set aside included; events written before 2026-11-26
 * counted non-empty samples only); absent on events older than the field.
 */
doubted?: number, 
/**
 * #34: the chosen impression's size as measured (round: diameter; square: the mean
 * side), for the case JSON's `seals`; absent on events written before and for no choice.
 */
diameter_mm?: number, side_mm?: number, };

export type RedactedEvent = { seq: number, form: string, };

export type ApprovalSigned = { algorithm: string, digest_hex: string, signature_b64: string, fingerprint: string, counter: string, sm2_id?: string, };

export type KeyEnrolled = { user: string, fingerprint: string, algorithm: string, subject: string, issuer: string, serial_hex: string, not_before: string, not_after: string, replaces?: string, };

export type KeyEnded = { user: string, fingerprint: string, end: string, reason?: string, };

export type DayClosed = { day: string, sheet_sha256: string, head_seq: number, head_hash: string, algorithm: string, digest_hex: string, signature_b64: string, fingerprint: string, counter: string, sm2_id?: string, reference: string, };

export type DayVerdict = { day: string, closed: boolean, ok: boolean, reference: string | null, closed_by: string | null, closed_at: string | null, 
/**
 * the supervisor's signature checks against the enrolment in force at the close
 */
signature_ok: boolean, 
/**
 * the chain verifies and still has, at the signed head, the hash that was signed
 */
head_ok: boolean, 
/**
 * the stored sheet is the one the close recorded
 */
sheet_ok: boolean, 
/**
 * cases of the day whose data or status, as the chain recorded them up to the close, or
 * whose presence, differ from the signed sheet (a closed day changed)
 */
changed: Array<string>, 
/**
 * the day's events written after its close (its cases' later steps): listed, not failed
 */
after_close: Array<AfterClose>, problems: Array<string>, 
/**
 * an exported ledger checked against the signed day (`day verify --ledger`)
 */
ledger: LedgerCheck | null, };

export type AfterClose = { seq: number, at: string, actor: string, action: string, case: string | null, };

export type Enrolment = { account: string, 
/**
 * SHA-256 of the certificate's DER, hex
 */
fingerprint: string, 
/**
 * `rsa-2048`, `ec-p256` or `sm2`
 */
algorithm: string, subject: string, issuer: string, serial_hex: string, not_before: string, not_after: string, enrolled_at: string, enrolled_by: string, ended_at: string | null, ended_by: string | null, 
/**
 * `replaced`, `revoked` or `account disabled`
 */
end_reason: string | null, };

export type SessionKey = { fingerprint: string, token_serial: string, };

export type ApprovalSignatureView = { algorithm: string, digest_hex: string, signature_b64: string, certificate_pem: string, statement: string, signer: string, signed_at: string, fingerprint: string, sm2_id: string | null, };

export type FormsPrinted = { forms: Array<string>, pages: number, file: string, pdf_sha256: string, };

export type TokenInitialized = { token_serial: string, token_label: string, model: string, 
/**
 * the user PIN set is a CA's published default (the applicant must change it)
 */
pin_is_default?: boolean, 
/**
 * which certificate of the case (1-based; absent on events written before a case
 * could have several: certificate 1), its holder and the holder's identifier
 */
cert?: number, holder?: string, holder_id?: string, 
/**
 * the wrong user PINs the key takes before it locks, where this initialisation set
 * them (an SKF key: the case's project's `[pin] max_tries`, else 10); absent on a
 * PKCS#11 key, which keeps its own
 */
user_pin_tries?: number, };

export type KeyGenerated = { token_serial: string, token_label: string, key_id: string, algo: string, public_key_sha256: string, csr: string, 
/**
 * the request package the CA receives (a case's key; none for a key made for no case)
 */
package?: string, 
/**
 * the PIN used is a CA's published default
 */
pin_is_default?: boolean, 
/**
 * which certificate of the case (1-based; absent on events written before a case
 * could have several: certificate 1), its holder and the holder's identifier
 */
cert?: number, holder?: string, holder_id?: string, };

export type CertificateImported = { certificate_serial: string, subject: string, issuer: string, not_after: string, 
/**
 * certificates kept after the issued one (intermediates and the anchor)
 */
chain: number, issuer_trusted?: boolean, anchor?: string, left_out?: Array<string>, file_sha256?: string, from?: string, to?: string, 
/**
 * where the answer came from when not a file: `scep <RA's address>` (#72)
 */
via?: string, 
/**
 * which certificate of the case (1-based; absent on events written before a case
 * could have several: certificate 1), its holder and the holder's identifier
 */
cert?: number, holder?: string, holder_id?: string, };

export type CertificateWritten = { token_serial: string, key_id: string, certificate_serial: string, subject: string, not_after: string, verified: boolean, 
/**
 * certificates already on the key (a renewal onto the applicant's key): serial and subject
 */
previous?: Array<string>, pin_is_default?: boolean, 
/**
 * which certificate of the case (1-based; absent on events written before a case
 * could have several: certificate 1), its holder and the holder's identifier
 */
cert?: number, holder?: string, holder_id?: string, };

export type EncryptionImported = { token_serial: string, key_id: string, 
/**
 * `gmt0009`, `skf` or `gmt0092`: the container the envelope came in
 */
envelope_format: string, certificate_serial: string, subject: string, issuer: string, not_after: string, 
/**
 * the encryption certificate chains to a CA certificate the project configures
 */
issuer_trusted: boolean, 
/**
 * SHA-256 of the CA's answer file as received (the envelope itself is not kept)
 */
file_sha256: string, verified: boolean, pin_is_default?: boolean, 
/**
 * which certificate of the case (1-based; absent on events written before a case
 * could have several: certificate 1), its holder and the holder's identifier
 */
cert?: number, holder?: string, holder_id?: string, };

export type SealImageWritten = { token_serial: string, image: string, size: number, sha256: string, pin_is_default?: boolean, 
/**
 * which certificate of the case (1-based; absent on events written before a case
 * could have several: certificate 1), its holder and the holder's identifier
 */
cert?: number, holder?: string, holder_id?: string, };

export type TokenChanged = { token_serial: string, token_label?: string, model?: string, pin_is_default?: boolean, };

export type BackupWritten = { path: string, cases: number, bytes: number, };

export type StoreRestored = { file: string, sha256: string, kept: string, cases: number, };

export type StoreMigrated = { file: string, sha256: string, events: number, cases: number, source_head?: string, };

export type StatementImported = { file: string, sha256: string, credits: number, new: number, matched: number, unmatched: number, refused: number, };

export type PaymentConfirmed = { credit: string, day: string, amount: string, payer: string, cases: Array<string>, };

export type UnitProved = { serial: string, subject: string, issuer: string, anchor: string, algorithm: string, challenge_sha256: string, };

export type StoreEncrypted = { tables: number, rows: number, without_slot: Array<string>, };

export type StoreRecovered = { user: string, key_file_rebuilt: boolean, };

export type StoreRekeyed = { user: string, without_slot: Array<string>, };

export type PurgeReport = { today: string, years: number, 
/**
 * past retention, not held (on a real run: those purged and those refused)
 */
due: Array<DueCase>, 
/**
 * past retention and kept by a legal hold
 */
held: Array<HeldCase>, 
/**
 * purged by this run (empty on a dry run)
 */
purged: Array<string>, attachments_emptied: number, 
/**
 * events whose personal part was removed, or that were redacted in place (written before
 * #30 with personal data in their hashed text, or holding the case's plain digests)
 */
events_redacted: number, 
/**
 * due but left: an event of the case was edited outside certdesk
 */
refused: Array<RefusedCase>, 
/**
 * unfinished intake forms (drafts, not cases) last saved before the retention years
 */
drafts_removed: number, };

export type DueCase = { number: string, 
/**
 * `certificate_expiry`, `closed` or `cancelled`
 */
basis: 'certificate_expiry' | 'closed' | 'cancelled', 
/**
 * the basis's local day and the retention's last day (due the day after)
 */
from: string, end: string, };

export type HeldCase = { number: string, reason: string, held_by: string, };

export type RefusedCase = { number: string, events: Array<number>, reason: string, };

export type CaseHold = { reason?: string, roles: Array<Role>, };

export type Purged = { basis: string, retention_from: string, retention_end: string, years: number, fields: Array<string>, attachments: Array<string>, personal_events: Array<number>, 
/**
 * the case's earlier events whose hashed text held personal data (written before
 * #30) or the case's plain digests, as the purge left them: each one's redacted form
 */
redacted?: Array<RedactedEvent>, };

export type SettingChanged = { key: string, before?: string, after: string, };

export type AccountChange = { user: string, roles?: string, failed_in_a_row?: number, 
/**
 * user_name: the new display name
 */
display_name?: string, 
/**
 * login_failed: the password was right and the key's signature was not (#31)
 */
second_factor?: boolean, };

export type DesksGranted = { role: string, database: string, tables: Array<string>, };

export type FindingView = { label: string, quantity: string, value: number, limit: number, unit: string, op: string, };

export type CaseSeal = { 
/**
 * the attachment's name (`seal:official_seal`, `seal:legal_rep_seal:4`)
 */
name: string, kind: string, row: number, col: number, sheet_sha256: string, diameter_mm?: number, side_mm?: number, dpi_source?: string, size_warning?: string, 
/**
 * the sheet's paper colour left to the eye (#76), as the clerk was asked about it: the
 * supervisor looks at the paper too
 */
paper_unchecked?: SealFinding, 
/**
 * the clerk accepted this impression although the importer doubted it
 */
accepted_by_clerk?: ClerkAcceptance, };

export type ClerkAcceptance = { account: string, at: string, defects: Array<string>, findings: Array<SealFinding>, 
/**
 * the checks the importer could not make on it, as the clerk was shown them (empty on
 * acceptances recorded before they were kept); the sheet's paper is asked about once, in
 * the seal's `paper_unchecked`, not again here
 */
unchecked: Array<SealFinding>, note: string | null, };

export type SealAccepted = { sheet_sha256: string, row: number, col: number, kind: string, stored: string, replaced?: string, defects: Array<string>, findings: Array<SealFinding>, 
/**
 * the checks not made (the quantity that stopped each, its value and limit), which the
 * clerk was shown when accepting; absent when every check was made, and on events
 * written before they were recorded
 */
unchecked?: Array<SealFinding>, note?: string, 
/**
 * the impression's size as measured (round: diameter; square: the mean side)
 */
diameter_mm?: number, side_mm?: number, 
/**
 * set by the store when the acceptance sent an approved case back to review
 */
from?: string, to?: string, };

export type SealFinding = { label: string, quantity: string, value: number, limit: number, unit: string, op: string, };

/** The `detail` of an audit event, by its action. */
export type EventDetails = {
  create: CaseChange,
  accept: CaseChange,
  submit: CaseChange,
  approve: CaseChange,
  return: CaseChange,
  edit: CaseChange,
  issue_key: CaseChange,
  deliver: CaseChange,
  close: CaseChange,
  cancel: CaseChange,
  reissue: Reissued,
  cert_withdrawn: CertWithdrawn,
  step_done: StepConfirmed,
  attachment_added: FileAdded,
  files_changed: CaseChange,
  seal_imported: SealSheet,
  seal_accepted: SealAccepted,
  forms_printed: FormsPrinted,
  token_initialized: TokenInitialized,
  key_generated: KeyGenerated,
  certificate_imported: CertificateImported,
  certificate_written: CertificateWritten,
  seal_written: SealImageWritten,
  encryption_imported: EncryptionImported,
  token_unlocked: TokenChanged,
  token_wiped: TokenChanged,
  pin_changed: TokenChanged,
  desks_granted: DesksGranted,
  store_backup: BackupWritten,
  store_restored: StoreRestored,
  statement_imported: StatementImported,
  payment_confirmed: PaymentConfirmed,
  unit_proved: UnitProved,
  store_migrated: StoreMigrated,
  store_encrypted: StoreEncrypted,
  store_recovered: StoreRecovered,
  store_rekeyed: StoreRekeyed,
  case_hold: CaseHold,
  case_hold_released: CaseHold,
  purged: Purged,
  setting: SettingChanged,
  user_add: AccountChange,
  user_passwd: AccountChange,
  user_roles: AccountChange,
  user_name: AccountChange,
  user_disable: AccountChange,
  user_unlock: AccountChange,
  login_failed: AccountChange,
  user_locked: AccountChange,
  operator_key_enrolled: KeyEnrolled,
  operator_key_ended: KeyEnded,
  day_closed: DayClosed,
}
