//! The scenarios of the choices suite as data, by the FREE rows of `spec/freedom.md` they exercise
//! (split from `main.rs`, which plays and judges them).

use super::*;

/// Every scenario, by the FREE rows it exercises.
pub(super) fn scenarios() -> Vec<(&'static [&'static str], Scenario)> {
    let idle = LogonCaps::LOGON_SP_IDLE;
    let poll = LogonCaps::LOGON_SP_POLL;
    let none = LogonCaps::EMPTY;
    let w = |transports, queue: Vec<QueueRow>| WorldSpec { transports, queue, ..WorldSpec::default() };
    vec![
        // 1. The order of due work.
        (
            &["FREE-1"],
            scenario(
                "Idle before locking a message that arrived meanwhile",
                w(one(idle), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::SystemIdle),
                    arrives(M1, &[SMTP]),
                    Step::Take(call(Call::Idle { transport: T0 })),
                ],
            )
            .makes(vec![Call::Idle { transport: T0 }, lock(S0, M1), submit(T0, M1, &[0])]),
        ),
        (
            &["FREE-1", "FREE-19"],
            scenario(
                "no Idle for a transport without LOGON_SP_IDLE",
                w(one(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::SystemIdle),
                    arrives(M1, &[SMTP]),
                    Step::At(call(lock(S0, M1))),
                    Step::Outside(call(Call::Idle { transport: T0 }), Some(Property::CapabilityGate)),
                ],
            ),
        ),
        (
            &["FREE-2"],
            scenario(
                "the younger of two adopted messages goes first, to another transport",
                w(two(none), vec![row(S0, M1, &[SMTP], QueueFlags::SUBMITFLAG_LOCKED), row(S0, M2, &[FAX], QueueFlags::SUBMITFLAG_LOCKED)]),
                vec![start(), Step::Take(call(submit(T1, M2, &[0])))],
            )
            .makes(vec![submit(T1, M2, &[0]), submit(T0, M1, &[0])]),
        ),
        (
            &["FREE-2"],
            scenario(
                "no first offer of the younger message to a transport the older one waits for",
                w(
                    one(none),
                    vec![row(S0, M1, &[SMTP], QueueFlags::SUBMITFLAG_LOCKED), row(S0, M2, &[SMTP], QueueFlags::SUBMITFLAG_LOCKED)],
                ),
                vec![
                    start(),
                    Step::At(call(submit(T0, M1, &[0]))),
                    Step::Outside(call(submit(T0, M2, &[0])), Some(Property::TransportFifo)),
                ],
            ),
        ),
        (
            &["FREE-3"],
            scenario(
                "traffic changed before the address types are queried again",
                w(two(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::Session(SessionRequest::Disable { transport: T0, directions: Directions::OUTBOUND })),
                    spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_CONFIG_CHANGE),
                    Step::Take(call(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND))),
                ],
            )
            .makes(vec![notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND), Call::AddressTypes { transport: T0 }]),
        ),
        (
            &["FREE-3", "FREE-8"],
            scenario(
                "nothing between a logon and its AddressTypes",
                w(two(none), vec![]),
                vec![start(), Step::At(call(Call::AddressTypes { transport: T0 })), Step::Outside(call(init(T1)), None)],
            ),
        ),
        (
            &["FREE-5", "FREE-1"],
            scenario(
                "a message is locked before the StartMessage of a fetch under way",
                w(one(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_NEWMAIL),
                    Step::Until("CreateMessage"),
                    arrives(M1, &[SMTP]),
                    Step::Take(call(lock(S0, M1))),
                ],
            )
            .makes(vec![lock(S0, M1), Call::StartMessage { transport: T0, message: INBOX }]),
        ),
        (
            &["FREE-5"],
            scenario(
                "inbound traffic ended before the StartMessage of a fetch under way: the message is released, never started",
                w(one(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_NEWMAIL),
                    Step::Until("CreateMessage"),
                    Step::Input(Input::Session(SessionRequest::Disable { transport: T0, directions: Directions::INBOUND })),
                    Step::Take(call(notify(T0, NotifyFlags::NOTIFY_END_INBOUND))),
                    Step::Until("TransportNotify"),
                    Step::Run,
                    Step::Outside(call(Call::StartMessage { transport: T0, message: INBOX }), Some(Property::InboundGate)),
                ],
            ),
        ),
        (
            &["FREE-6", "FREE-25"],
            scenario(
                "another message is locked before the AbortSubmit of a cancelled one",
                w(one(none), vec![queued(M1, &[SMTP])]),
                vec![
                    start(),
                    Step::At(call(submit(T0, M1, &[0]))),
                    Step::Input(Input::Cancel(mapi_spooler::CancelRequest::Outbound { store: S0, message: M1 })),
                    Step::At(call(Call::AbortSubmit { store: S0, message: M1 })),
                    arrives(M2, &[SMTP]),
                    Step::Take(call(lock(S0, M2))),
                ],
            )
            .makes(vec![
                Call::SetLockState { store: S0, message: M1, state: LockState::Unlocked },
                lock(S0, M2),
                Call::AbortSubmit { store: S0, message: M1 },
            ]),
        ),
        (
            &["FREE-6"],
            scenario(
                "no AbortSubmit of a cancelled message the spooler still holds locked",
                w(one(none), vec![queued(M1, &[SMTP])]),
                vec![
                    start(),
                    Step::At(call(submit(T0, M1, &[0]))),
                    Step::Input(Input::Cancel(mapi_spooler::CancelRequest::Outbound { store: S0, message: M1 })),
                    Step::At(call(Call::SetLockState { store: S0, message: M1, state: LockState::Unlocked })),
                    Step::Outside(call(Call::AbortSubmit { store: S0, message: M1 }), Some(Property::CancelledNeverOffered)),
                ],
            ),
        ),
        // 2. Start-up.
        (
            &["FREE-8"],
            scenario("start-up breadth first", w(two(none), vec![]), vec![start(), Step::Take(call(init(T1)))]).makes(vec![
                init(T1),
                init(T0),
                logon(T0, no_traffic()),
                logon(T1, no_traffic()),
            ]),
        ),
        (
            &["FREE-8"],
            scenario(
                "no TransportLogon before XPProviderInit",
                w(two(none), vec![]),
                vec![start(), Step::At(call(init(T0))), Step::Outside(call(logon(T1, no_traffic())), Some(Property::CallOrder))],
            ),
        ),
        (
            &["FREE-9"],
            scenario(
                "the other transport starts before the service of the first is configured",
                WorldSpec { transports: two(none), unconfigured: vec![T0], ..WorldSpec::default() },
                vec![start(), Step::At(call(Call::ServiceConfigure { service: mapi_spooler::ServiceId(0) })), Step::Take(call(init(T1)))],
            )
            .makes(vec![init(T1), Call::ServiceConfigure { service: mapi_spooler::ServiceId(0) }, logon(T0, no_traffic())]),
        ),
        (
            &["FREE-9"],
            scenario(
                "no second logon before the service is configured",
                WorldSpec { transports: two(none), unconfigured: vec![T0], ..WorldSpec::default() },
                vec![
                    start(),
                    Step::At(call(Call::ServiceConfigure { service: mapi_spooler::ServiceId(0) })),
                    Step::Outside(call(logon(T0, no_traffic())), None),
                ],
            ),
        ),
        (
            &["FREE-10"],
            scenario(
                "the store first",
                w(one(none), vec![queued(M1, &[SMTP])]),
                vec![start(), Step::Take(call(Call::SpoolerLogon { store: S0 })), Step::Take(call(Call::GetOutgoingQueue { store: S0 }))],
            )
            .makes(vec![
                Call::SpoolerLogon { store: S0 },
                Call::GetOutgoingQueue { store: S0 },
                init(T0),
                submit(T0, M1, &[0]),
            ]),
        ),
        (
            &["FREE-10"],
            scenario(
                "no outgoing queue before the store's logon",
                w(one(none), vec![]),
                vec![start(), Step::At(call(init(T0))), Step::Outside(call(Call::GetOutgoingQueue { store: S0 }), None)],
            ),
        ),
        (
            &["FREE-13"],
            scenario(
                "the first logon without LOGON_NO_* flags",
                w(one(none), vec![queued(M1, &[SMTP])]),
                vec![start(), Step::Take(call(logon(T0, LogonFlags::EMPTY)))],
            )
            .makes(vec![logon(T0, LogonFlags::EMPTY), notify(T0, begin_both()), submit(T0, M1, &[0])]),
        ),
        (
            &["FREE-13", "FREE-1"],
            scenario(
                "without LOGON_NO_OUTBOUND still no SubmitMessage before BEGIN_OUTBOUND",
                w(one(none), vec![queued(M1, &[SMTP])]),
                vec![
                    start(),
                    Step::Take(call(logon(T0, LogonFlags::EMPTY))),
                    Step::Take(call(lock(S0, M1))),
                    Step::At(call(notify(T0, begin_both()))),
                    Step::Outside(call(submit(T0, M1, &[0])), Some(Property::OutboundGate)),
                ],
            ),
        ),
        // 3. Enabling and disabling traffic.
        (
            &["FREE-16"],
            scenario(
                "one TransportNotify per direction, inbound first",
                w(one(none), vec![queued(M1, &[SMTP])]),
                vec![start(), Step::Take(call(notify(T0, NotifyFlags::NOTIFY_BEGIN_INBOUND)))],
            )
            .makes(vec![
                notify(T0, NotifyFlags::NOTIFY_BEGIN_INBOUND),
                notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND),
                submit(T0, M1, &[0]),
            ]),
        ),
        (
            &["FREE-16", "FREE-17"],
            scenario(
                "one TransportNotify per direction at the session's end, outbound first",
                w(one(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::Session(SessionRequest::Shutdown)),
                    Step::Take(call(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND))),
                ],
            )
            .makes(vec![
                notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND),
                notify(T0, NotifyFlags::NOTIFY_END_INBOUND),
                Call::TransportLogoff { transport: T0 },
            ]),
        ),
        (
            &["FREE-16"],
            scenario(
                "never BEGIN and END of one direction together",
                w(one(none), vec![]),
                vec![
                    start(),
                    Step::At(call(notify(T0, begin_both()))),
                    Step::Outside(
                        call(notify(T0, NotifyFlags::NOTIFY_BEGIN_INBOUND | NotifyFlags::NOTIFY_END_INBOUND)),
                        Some(Property::WellFormedNotify),
                    ),
                ],
            ),
        ),
        (
            &["FREE-17"],
            scenario(
                "the session's end breadth first, the second transport first",
                w(two(none), vec![]),
                vec![start(), Step::Run, Step::Input(Input::Session(SessionRequest::Shutdown)), Step::Take(call(notify(T1, end_both())))],
            )
            .makes(vec![
                notify(T1, end_both()),
                notify(T0, end_both()),
                Call::TransportLogoff { transport: T0 },
                Call::TransportLogoff { transport: T1 },
            ]),
        ),
        (
            &["FREE-17"],
            scenario(
                "no Shutdown before the logon is released",
                w(two(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::Session(SessionRequest::Shutdown)),
                    Step::At(call(notify(T0, end_both()))),
                    Step::Outside(call(Call::Shutdown { transport: T0 }), Some(Property::ShutdownGating)),
                ],
            ),
        ),
        // 4. Idle time and polling.
        (
            &["FREE-18", "FREE-19"],
            scenario(
                "Idle for the second transport only, the first passed over",
                w(two(idle), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::SystemIdle),
                    Step::Take(call(Call::Idle { transport: T1 })),
                    Step::Take(Choice::Skip(Skip::Idle(T0))),
                ],
            )
            .makes(vec![Call::Idle { transport: T1 }]),
        ),
        (
            &["FREE-18"],
            scenario(
                "Idle passed over at most once in a row",
                w(two(idle), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::SystemIdle),
                    Step::Take(Choice::Skip(Skip::Idle(T0))),
                    Step::Run,
                    Step::Input(Input::SystemIdle),
                    Step::At(call(Call::Idle { transport: T0 })),
                    Step::Outside(Choice::Skip(Skip::Idle(T0)), None),
                ],
            ),
        ),
        (
            &["FREE-18"],
            scenario(
                "no Idle inside a critical section",
                w(one(idle), vec![]),
                vec![
                    start(),
                    Step::Run,
                    spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_CRITSEC),
                    Step::Input(Input::SystemIdle),
                    Step::Outside(call(Call::Idle { transport: T0 }), Some(Property::CriticalSectionGate)),
                ],
            ),
        ),
        (
            &["FREE-20"],
            scenario(
                "a Poll passed over, the next one made",
                w(one(poll), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::TimePassed { seconds: 1 }),
                    Step::Take(Choice::Skip(Skip::Poll(T0))),
                    Step::Run,
                    Step::Input(Input::TimePassed { seconds: 1 }),
                    Step::At(call(Call::Poll { transport: T0 })),
                    Step::Outside(Choice::Skip(Skip::Poll(T0)), None),
                ],
            )
            .makes(vec![Call::Poll { transport: T0 }]),
        ),
        (
            &["FREE-20"],
            scenario(
                "no Poll of a transport without LOGON_SP_POLL",
                w(transports(&[(SMTP, poll), (FAX, none)]), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::TimePassed { seconds: 1 }),
                    Step::At(call(Call::Poll { transport: T0 })),
                    Step::Outside(call(Call::Poll { transport: T1 }), Some(Property::CapabilityGate)),
                ],
            ),
        ),
        (
            &["FREE-46", "FREE-1"],
            scenario(
                "mail fetched before the next outbound message is offered",
                WorldSpec { transports: one(none), queue: vec![queued(M1, &[SMTP])], mail: vec![1], ..WorldSpec::default() },
                vec![
                    start(),
                    Step::At(call(submit(T0, M1, &[0]))),
                    spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_NEWMAIL),
                    Step::Take(Choice::Fetch(T0)),
                ],
            )
            .makes(vec![Call::StartMessage { transport: T0, message: INBOX }, submit(T0, M1, &[0])]),
        ),
        (
            &["FREE-46"],
            scenario(
                "no fetch while inbound traffic is off",
                WorldSpec { transports: one(none), mail: vec![1], ..WorldSpec::default() },
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::Session(SessionRequest::Disable { transport: T0, directions: Directions::INBOUND })),
                    Step::Run,
                    spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_NEWMAIL),
                    arrives(M1, &[SMTP]),
                    Step::At(call(lock(S0, M1))),
                    Step::Outside(Choice::Fetch(T0), None),
                ],
            ),
        ),
        (
            &["FREE-21"],
            scenario(
                "the second transport's mail fetched first",
                WorldSpec { transports: two(none), mail: vec![1, 1], ..WorldSpec::default() },
                vec![
                    start(),
                    Step::Run,
                    spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_NEWMAIL),
                    spooler_notify(T1, SpoolerNotifyFlags::NOTIFY_NEWMAIL),
                    Step::Take(Choice::Fetch(T1)),
                ],
            )
            .makes(vec![
                Call::StartMessage { transport: T1, message: INBOX },
                Call::StartMessage { transport: T0, message: MessageId(1003) },
            ]),
        ),
        (
            &["FREE-21"],
            scenario(
                "one fetch at a time",
                WorldSpec { transports: two(none), mail: vec![1, 1], ..WorldSpec::default() },
                vec![
                    start(),
                    Step::Run,
                    spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_NEWMAIL),
                    spooler_notify(T1, SpoolerNotifyFlags::NOTIFY_NEWMAIL),
                    Step::At(call(Call::StartMessage { transport: T0, message: INBOX })),
                    Step::Outside(Choice::Fetch(T1), None),
                ],
            ),
        ),
        // 5. Locking.
        (
            &["FREE-22", "FREE-23"],
            scenario(
                "the younger message locked first: it needs another transport",
                w(two(none), vec![queued(M1, &[SMTP]), queued(M2, &[FAX])]),
                vec![start(), Step::Take(call(lock(S0, M2)))],
            )
            .makes(vec![lock(S0, M2), lock(S0, M1)]),
        ),
        (
            &["FREE-22"],
            scenario(
                "a second message locked while the first still has its offer due",
                w(two(none), vec![queued(M1, &[SMTP]), queued(M2, &[FAX])]),
                vec![start(), Step::At(call(submit(T0, M1, &[0]))), Step::Take(call(lock(S0, M2)))],
            )
            .makes(vec![lock(S0, M1), lock(S0, M2), submit(T0, M1, &[0])]),
        ),
        (
            &["FREE-22", "FREE-23"],
            scenario(
                "no lock of a younger message that needs the transport the older one waits for",
                w(one(none), vec![queued(M1, &[SMTP]), queued(M2, &[SMTP])]),
                vec![start(), Step::At(call(submit(T0, M1, &[0]))), Step::Outside(call(lock(S0, M2)), None)],
            ),
        ),
        (
            &["FREE-25"],
            scenario(
                "the second store's message locked first",
                w(two(none), vec![row(S0, M1, &[SMTP], QueueFlags::EMPTY), row(S1, M2, &[FAX], QueueFlags::EMPTY)]),
                vec![start(), Step::Take(call(lock(S1, M2)))],
            )
            .stores(2)
            .makes(vec![lock(S1, M2), lock(S0, M1)]),
        ),
        (
            &["FREE-25"],
            scenario(
                "no lock of a store's younger message before its older one that needs the same transport",
                w(
                    two(none),
                    vec![
                        row(S0, M1, &[SMTP], QueueFlags::EMPTY),
                        row(S0, M2, &[SMTP], QueueFlags::EMPTY),
                        row(S1, MessageId(3), &[FAX], QueueFlags::EMPTY),
                    ],
                ),
                vec![start(), Step::At(call(lock(S1, MessageId(3)))), Step::Outside(call(lock(S0, M2)), None)],
            )
            .stores(2),
        ),
        // 6. Offering recipients.
        (
            &["FREE-26"],
            scenario(
                "the second transport's recipients offered first",
                w(two(none), vec![queued(M1, &[SMTP, FAX])]),
                vec![start(), Step::Take(call(submit(T1, M1, &[1])))],
            )
            .makes(vec![submit(T1, M1, &[1]), submit(T0, M1, &[0])]),
        ),
        (
            &["FREE-26"],
            scenario(
                "each recipient only to its first choice",
                w(two(none), vec![queued(M1, &[SMTP, FAX])]),
                vec![start(), Step::At(call(submit(T0, M1, &[0]))), Step::Outside(call(submit(T1, M1, &[0])), Some(Property::ScanOrder))],
            ),
        ),
        (
            &["FREE-27"],
            scenario(
                "one transport's recipients offered in two calls",
                w(one(none), vec![queued(M1, &[SMTP, SMTP])]),
                vec![start(), Step::Take(call(submit(T0, M1, &[1])))],
            )
            .makes(vec![submit(T0, M1, &[1]), submit(T0, M1, &[0])]),
        ),
        (
            &["FREE-27"],
            scenario(
                "a recipient taken is not offered again",
                w(one(none), vec![queued(M1, &[SMTP, SMTP])]),
                vec![
                    start(),
                    Step::Take(call(submit(T0, M1, &[1]))),
                    Step::At(call(submit(T0, M1, &[0]))),
                    Step::Outside(call(submit(T0, M1, &[0, 1])), Some(Property::TakenNeverOffered)),
                ],
            ),
        ),
        // 9. FinishedMsg.
        (
            &["FREE-40", "FREE-22"],
            scenario(
                "a message locked before the FinishedMsg of another",
                w(two(none), vec![queued(M1, &[SMTP]), queued(M2, &[FAX])]),
                vec![start(), Step::At(call(Call::FinishedMsg { store: S0, message: M1 })), Step::Take(call(lock(S0, M2)))],
            )
            .makes(vec![lock(S0, M2), Call::FinishedMsg { store: S0, message: M1 }]),
        ),
        (
            &["FREE-40"],
            scenario(
                "no FinishedMsg before every recipient is settled",
                w(one(none), vec![queued(M1, &[SMTP])]),
                vec![
                    start(),
                    Step::At(call(submit(T0, M1, &[0]))),
                    Step::Outside(call(Call::FinishedMsg { store: S0, message: M1 }), Some(Property::OneDisposition)),
                ],
            ),
        ),
        // 12. Status objects.
        (
            &["FREE-50"],
            scenario(
                "ValidateState forwarded to the second transport first",
                w(two(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::Status(StatusRequest::ValidateState { flags: 0 })),
                    Step::Take(call(Call::ValidateState { transport: T1, flags: ValidateFlags::EMPTY })),
                ],
            )
            .makes(vec![
                Call::ValidateState { transport: T1, flags: ValidateFlags::EMPTY },
                Call::ValidateState { transport: T0, flags: ValidateFlags::EMPTY },
            ]),
        ),
        (
            &["FREE-50"],
            scenario(
                "ValidateState forwarded once to each logon",
                w(two(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::Status(StatusRequest::ValidateState { flags: 0 })),
                    Step::Take(call(Call::ValidateState { transport: T1, flags: ValidateFlags::EMPTY })),
                    Step::At(call(Call::ValidateState { transport: T0, flags: ValidateFlags::EMPTY })),
                    Step::Outside(call(Call::ValidateState { transport: T1, flags: ValidateFlags::EMPTY }), None),
                ],
            ),
        ),
        (
            &["FREE-55"],
            scenario(
                "the second row opened first",
                w(two(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::Status(StatusRequest::OpenEntry { transport: T0 })),
                    Step::Input(Input::Status(StatusRequest::OpenEntry { transport: T1 })),
                    Step::Take(call(Call::OpenStatusEntry { transport: T1 })),
                    Step::At(call(Call::OpenStatusEntry { transport: T0 })),
                    // Each opened row once (STAT-10).
                    Step::Outside(call(Call::OpenStatusEntry { transport: T1 }), None),
                ],
            )
            .makes(vec![Call::OpenStatusEntry { transport: T1 }, Call::OpenStatusEntry { transport: T0 }]),
        ),
        // 13. Flushing queues.
        (
            &["FREE-57"],
            scenario(
                "a flush's outbound half without its BEGIN notification",
                w(one(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::Status(StatusRequest::FlushQueues { target: None, flags: FlushFlags::FLUSH_UPLOAD.bits() })),
                    Step::Take(Choice::Skip(Skip::FlushBegin(T0))),
                ],
            )
            .makes(vec![notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH)])
            .finding(Property::FlushProtocol),
        ),
        (
            &["FREE-60"],
            scenario(
                "FlushQueues with FLUSH_FORCE",
                w(one(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::Status(StatusRequest::FlushQueues { target: None, flags: FlushFlags::FLUSH_UPLOAD.bits() })),
                    Step::Take(call(Call::FlushQueues { transport: T0, flags: FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_FORCE })),
                ],
            )
            .makes(vec![Call::FlushQueues { transport: T0, flags: FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_FORCE }]),
        ),
        (
            &["FREE-60"],
            scenario(
                "no FLUSH_ASYNC_OK to a transport",
                w(one(none), vec![]),
                vec![
                    start(),
                    Step::Run,
                    Step::Input(Input::Status(StatusRequest::FlushQueues { target: None, flags: FlushFlags::FLUSH_UPLOAD.bits() })),
                    Step::At(call(Call::FlushQueues { transport: T0, flags: FlushFlags::FLUSH_UPLOAD })),
                    Step::Outside(
                        call(Call::FlushQueues { transport: T0, flags: FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_ASYNC_OK }),
                        None,
                    ),
                ],
            ),
        ),
    ]
}
