//! The documented names: flags, codes and the calls the spooler makes.

use mapi_spooler::sim::{Sim, TransportScript};
use mapi_spooler::{
    AddrType, Call, EndFlags, Hresult, LogonCaps, NotifyFlags, Profile, Registrations, SpoolerNotifyFlags, StatusRowFlags, SubmitFlags,
    Target, XpInitFlags,
};

/// Flags print and parse under the names of the SDK headers, not the misspellings of some pages
/// (AMB-10).
#[test]
fn flags_use_the_header_names() {
    // Spec: AMB-10
    assert_eq!(LogonCaps::LOGON_SP_POLL.to_string(), "LOGON_SP_POLL");
    assert_eq!(LogonCaps::LOGON_SP_IDLE.to_string(), "LOGON_SP_IDLE");
    assert_eq!(SpoolerNotifyFlags::NOTIFY_CONFIG_CHANGE.to_string(), "NOTIFY_CONFIG_CHANGE");
    assert_eq!(SpoolerNotifyFlags::NOTIFY_READYTOSEND.to_string(), "NOTIFY_READYTOSEND");
    assert_eq!(SpoolerNotifyFlags::NOTIFY_SENTDEFERRED.to_string(), "NOTIFY_SENTDEFERRED");
    assert_eq!(Hresult::MAPI_E_USER_CANCEL.to_string(), "MAPI_E_USER_CANCEL");
    for misspelled in ["SP_LOGON_POLL", "XP_LOGON_SP"] {
        assert!(LogonCaps::parse(misspelled).is_err(), "{misspelled} is not a header name");
    }
    for misspelled in ["NOTIFY_CONFIG_CHANGED", "NOTIFY_READTOSEND", "NOTIFY_SENT_DEFERRED"] {
        assert!(SpoolerNotifyFlags::parse(misspelled).is_err(), "{misspelled} is not a header name");
    }
    assert_eq!(Hresult::from_name("MAPI_E_USER_CANCELED"), None);
}

/// Every flag word round-trips through its names, and decoding refuses undefined bits with an
/// error that names them.
#[test]
fn flag_words_round_trip_through_their_names() {
    fn check<F: std::fmt::Display + PartialEq + std::fmt::Debug + Copy>(
        all: F,
        parse: impl Fn(&str) -> Result<F, mapi_spooler::UnknownFlagName>,
    ) {
        assert_eq!(parse(&all.to_string()).expect("the printed names parse"), all);
    }
    check(NotifyFlags::ALL, NotifyFlags::parse);
    check(SpoolerNotifyFlags::ALL, SpoolerNotifyFlags::parse);
    check(LogonCaps::ALL, LogonCaps::parse);
    check(EndFlags::ALL, EndFlags::parse);
    check(SubmitFlags::ALL, SubmitFlags::parse);
    check(StatusRowFlags::ALL, StatusRowFlags::parse);
    check(XpInitFlags::ALL, XpInitFlags::parse);
    let error = NotifyFlags::from_bits(0x0000_0100).expect_err("bit 8 is not a TransportNotify flag");
    assert_eq!(error.bits, 0x100);
    assert!(error.to_string().contains("NotifyFlags has undefined bits 0x00000100"), "{error}");
    assert_eq!(Hresult::from_name("MAPI_E_NOT_ME"), Some(Hresult(0x8004_0502)));
    assert_eq!(Hresult(0x8004_0500).to_string(), "MAPI_E_WAIT");
    assert_eq!(Hresult(0x8123_4567).to_string(), "0x81234567");
}

/// The spooler calls only documented methods: in a long simulation with faults, every call is
/// one of the methods of the lifecycle, submission and preprocessing steps. It never calls
/// `IXPLogon::RegisterOptions`, which the documentation lists without describing (AMB-40).
#[test]
fn the_spooler_calls_only_documented_methods() {
    // Spec: AMB-40
    const DOCUMENTED: [&str; 17] = [
        "XPProviderInit",
        "MSG_SERVICE_CONFIGURE",
        "TransportLogon",
        "AddressTypes",
        "TransportNotify",
        "Idle",
        "SubmitMessage",
        "EndMessage",
        "TransportLogoff",
        "Shutdown",
        "SpoolerLogon",
        "GetOutgoingQueue",
        "SetLockState",
        "PreprocessMessage",
        "IMessage::SubmitMessage",
        "RemovePreprocessInfo",
        "FinishedMsg",
    ];
    let scripts = (0..3)
        .map(|i| {
            let mut script = TransportScript::new("t", Registrations::address_types([AddrType(i)]));
            script.random_faults = true;
            script.logon = vec![Ok(LogonCaps::LOGON_SP_IDLE)];
            script
        })
        .collect();
    let mut sim = Sim::new(&Profile::new(3), scripts, 7).expect("valid");
    sim.start();
    for n in 0..40u16 {
        let recipients = (0..3).map(|r| mapi_spooler::RecipientRow::new(AddrType((n + r) % 4))).collect();
        sim.submit(mapi_spooler::StoreId(0), mapi_spooler::store::Draft::to(recipients)).expect("queued");
        sim.idle();
    }
    sim.shutdown();
    assert!(sim.refused().is_empty(), "{:?}", sim.refused());
    let methods: std::collections::BTreeSet<&str> = sim.calls().map(Call::method).collect();
    assert!(methods.iter().all(|m| DOCUMENTED.contains(m)), "{methods:?}");
    assert!(!methods.contains("RegisterOptions"));
    // The names a trace uses for calls (`Call::METHODS`) cover every documented one, and no
    // method the documentation leaves undescribed.
    assert!(DOCUMENTED.iter().all(|m| Call::METHODS.contains(m)));
    assert!(!Call::METHODS.contains(&"RegisterOptions"));
    // The run is long enough to exercise most of them.
    assert!(methods.len() >= 11, "{methods:?}");
    // A call to a transport's provider or logon object names the transport; no other call does.
    for call in sim.calls() {
        let to_a_transport = matches!(call.target(), Target::Provider | Target::Logon | Target::Traffic);
        assert_eq!(call.transport().is_some(), to_a_transport, "{call}");
    }
}
