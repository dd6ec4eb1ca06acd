//! The macros that turn the table (`table.rs`) into the enums, their helpers, their display and
//! their trace codec. Like `flag_set!` (`src/flags.rs`) and quinn-proto's `errors!`: one
//! declaration per method, everything else generated from it.

/// How an entry shows: a format string that names the entry's fields (`"{transport}.Idle(0)"`),
/// or a parenthesized format string with extra arguments for what a plain field cannot show.
macro_rules! shown {
    ($f:ident $text:literal) => {
        write!($f, $text)
    };
    ($f:ident ($text:literal $(, $arg:expr)* $(,)?)) => {
        write!($f, $text $(, $arg)*)
    };
}

/// Calls the spooler makes and the returns that answer them. Each row:
///
/// ```text
/// /// doc of the Call variant
/// Variant = "documented name" on Target when ["REQ-1", ...] {
///     /// doc
///     target: TargetId,                       (the object called: "to" in a call, "from" in its return)
///     /// doc
///     field: Type = "trace key",              (an argument)
///     /// doc
///     field: Type = "trace key" (identifies), (an argument the return repeats: it answers only this call)
/// } shown "display";
/// /// doc of the Return variant
/// returns {                                 (left out for a return that carries an HRESULT only)
///     /// doc
///     result: Hresult,                        (or Result<Out, Hresult> = "key", or another Outcome)
///     /// doc
///     field: Type = "trace key",              (what else the return carries)
/// } shown "display of the method, before ` => `";
/// ```
macro_rules! methods {
    (
        $(
            $(#[$cdoc:meta])*
            $V:ident = $name:literal on $kind:ident when [$($rule:literal),* $(,)?] {
                $($call:tt)*
            } shown $cshown:tt;
            $(#[$rdoc:meta])*
            returns $({
                $($ret:tt)*
            })? shown $rshown:literal;
        )*
    ) => {
        methods!(@calls $( [$(#[$cdoc])*] $V $name $kind [$($rule),*] { $($call)* } $cshown )*);
        methods!(@rows [] $( [[$(#[$rdoc])*] $V $name { $($call)* } { $($($ret)*)? } $rshown] )*);
    };

    // Every row normalized: the call's identifying arguments picked out, for the return side.
    (@rows [$($done:tt)*]) => {
        methods!(@returns $($done)*);
    };
    // A return that carries its result only.
    (@rows $done:tt [$rdoc:tt $V:ident $name:literal $call:tt {} $rshown:literal] $($rest:tt)*) => {
        methods!(@rows $done [$rdoc $V $name $call { #[doc = "The result."] result: $crate::hresult::Hresult, } $rshown] $($rest)*);
    };
    (@rows $done:tt
        [$rdoc:tt $V:ident $name:literal { $(#[$td:meta])* $tf:ident : $tty:ty, $($fields:tt)* } $ret:tt $rshown:literal]
        $($rest:tt)*
    ) => {
        methods!(@ids $done [$rdoc $V $name { $(#[$td])* $tf : $tty } $ret $rshown] [] [$($fields)*] $($rest)*);
    };
    (@ids [$($done:tt)*] $row:tt $ids:tt [] $($rest:tt)*) => {
        methods!(@rows [$($done)* [$row $ids]] $($rest)*);
    };
    (@ids $done:tt $row:tt [$($ids:tt)*]
        [$(#[$fd:meta])* $f:ident : $ft:ty = $fk:tt (identifies), $($more:tt)*] $($rest:tt)*
    ) => {
        methods!(@ids $done $row [$($ids)* {[$(#[$fd])*] $f : $ft = $fk}] [$($more)*] $($rest)*);
    };
    (@ids $done:tt $row:tt $ids:tt [$(#[$fd:meta])* $f:ident : $ft:ty = $fk:tt, $($more:tt)*] $($rest:tt)*) => {
        methods!(@ids $done $row $ids [$($more)*] $($rest)*);
    };

    // The key of a return's outcome: `()` when the outcome names its own keys.
    (@key) => { () };
    (@key $key:tt) => { $key };

    // Whether the object called is a transport's.
    (@transport Provider $t:ident) => { Some(*$t) };
    (@transport Logon $t:ident) => { Some(*$t) };
    (@transport Traffic $t:ident) => { Some(*$t) };
    (@transport $other:ident $t:ident) => { None };

    (@calls $(
        [$(#[$cdoc:meta])*] $V:ident $name:literal $kind:ident [$($rule:literal),*]
        { $(#[$td:meta])* $tf:ident : $tty:ty, $( $(#[$fd:meta])* $f:ident : $ft:ty = $fk:tt $((identifies))?, )* }
        $cshown:tt
    )*) => {
        /// A call the spooler makes, named after the documented method (declared in the method
        /// table, `src/method/table.rs`).
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Call {
            $(
                $(#[$cdoc])*
                $V {
                    $(#[$td])*
                    $tf: $tty,
                    $( $(#[$fd])* $f: $ft, )*
                },
            )*
        }

        impl Call {
            /// Every method the spooler calls, by the name [`Call::method`] gives it (and a
            /// recorded trace uses), in the order of the table.
            pub const METHODS: &'static [&'static str] = &[$($name),*];

            /// The documented method name.
            #[must_use]
            pub const fn method(&self) -> &'static str {
                match self {
                    $( Call::$V { .. } => $name, )*
                }
            }

            /// The kind of object the call goes to.
            #[must_use]
            pub const fn target(&self) -> $crate::method::Target {
                match self {
                    $( Call::$V { .. } => $crate::method::Target::$kind, )*
                }
            }

            /// The transport the call goes to, if it goes to a transport (its provider object or
            /// its logon object; preprocessor functions aside).
            #[must_use]
            #[allow(unused_variables)]
            pub const fn transport(&self) -> Option<$crate::ids::TransportId> {
                match self {
                    $( Call::$V { $tf, .. } => methods!(@transport $kind $tf), )*
                }
            }

            /// The message the call names, if it names one: its argument of type
            /// [`crate::MessageId`] (`EndMessage` names its attempt by `ulMsgRef` instead).
            #[must_use]
            pub fn message(&self) -> Option<$crate::ids::MessageId> {
                match self {
                    $( Call::$V { $($f,)* .. } => {
                        let named: &[Option<$crate::ids::MessageId>] = &[$($crate::method::Arg::message($f)),*];
                        named.iter().find_map(|m| *m)
                    } )*
                }
            }

            /// The requirements that say when the spooler makes this call.
            #[must_use]
            pub const fn rules(&self) -> &'static [&'static str] {
                match self {
                    $( Call::$V { .. } => &[$($rule),*], )*
                }
            }

            /// The call with its message and the rows it names renamed.
            pub(crate) fn renamed(&self, renaming: &$crate::Renaming) -> Call {
                let message = self.message();
                match self {
                    $( Call::$V { $tf, $($f,)* } => Call::$V {
                        $tf: $crate::method::Arg::renamed($tf, renaming, message),
                        $( $f: $crate::method::Arg::renamed($f, renaming, message), )*
                    }, )*
                }
            }

            /// Writes the call's trace line.
            pub(crate) fn encode(&self, w: &mut $crate::trace::json::Writer<'_>) {
                match self {
                    $( Call::$V { $tf, $($f,)* } => {
                        w.text("call", $name);
                        w.put("to", $tf);
                        $( w.put($fk, $f); )*
                    } )*
                }
            }

            /// Reads the call `what` from its trace line.
            pub(crate) fn decode(
                what: &str,
                r: &mut $crate::trace::json::Reader<'_, '_>,
            ) -> Result<Call, $crate::trace::TraceError> {
                Ok(match what {
                    $( $name => Call::$V {
                        $tf: r.get("to")?,
                        $( $f: r.get($fk)?, )*
                    }, )*
                    _ => return Err(r.unknown_method("call", what)),
                })
            }

            /// One call of every method for each of `n` sample values of their arguments.
            #[cfg(test)]
            pub(crate) fn examples(n: usize) -> Vec<Call> {
                use $crate::method::tests::sample;
                let mut out = Vec::new();
                for i in 0..n {
                    $( out.push(Call::$V { $tf: sample(i), $( $f: sample(i), )* }); )*
                }
                out
            }
        }

        impl std::fmt::Display for Call {
            #[allow(unused_variables)]
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $( Call::$V { $tf, $($f,)* } => shown!(f $cshown), )*
                }
            }
        }
    };

    (@returns $(
        [
            [
                [$(#[$rdoc:meta])*] $V:ident $name:literal { $(#[$td:meta])* $tf:ident : $tty:ty }
                { $(#[$resd:meta])* $res:ident : $rest:ty $(= $resk:tt)?, $( $(#[$od:meta])* $o:ident : $ot:ty = $ok:tt, )* }
                $rshown:literal
            ]
            [ $( {[$(#[$ed:meta])*] $e:ident : $et:ty = $ek:tt} )* ]
        ]
    )*) => {
        /// The result of the call in flight, with its out-parameters. Each variant answers the
        /// [`crate::Call`] of the same name and repeats the arguments that identify the call, so
        /// that a return that does not belong to the call in flight is refused (declared in the
        /// method table, `src/method/table.rs`).
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Return {
            $(
                $(#[$rdoc])*
                $V {
                    $(#[$td])*
                    $tf: $tty,
                    $( $(#[$ed])* $e: $et, )*
                    $( $(#[$od])* $o: $ot, )*
                    $(#[$resd])*
                    $res: $rest,
                },
            )*
        }

        impl Return {
            /// The documented name of the method this return answers.
            #[must_use]
            pub const fn method(&self) -> &'static str {
                match self {
                    $( Return::$V { .. } => $name, )*
                }
            }

            /// Who returns: the object the call went to (the table's first argument). When the
            /// return breaks a rule, that party is at fault (issue 14).
            #[must_use]
            pub fn party(&self) -> $crate::Party {
                match self {
                    $( Return::$V { $tf, .. } => $crate::Party::from(*$tf), )*
                }
            }

            /// Writes the return's trace line.
            pub(crate) fn encode(&self, w: &mut $crate::trace::json::Writer<'_>) {
                use $crate::method::Outcome;
                match self {
                    $( Return::$V { $tf, $($e,)* $($o,)* $res } => {
                        w.text("return", $name);
                        w.put("from", $tf);
                        w.text("result", &$res.hresult().to_string());
                        $( w.put($ek, $e); )*
                        $( w.put($ok, $o); )*
                        $res.write_out(w, methods!(@key $($resk)?));
                    } )*
                }
            }

            /// Reads the return of `what` from its trace line.
            pub(crate) fn decode(
                what: &str,
                r: &mut $crate::trace::json::Reader<'_, '_>,
            ) -> Result<Return, $crate::trace::TraceError> {
                use $crate::method::Outcome;
                let result = r.get("result")?;
                Ok(match what {
                    $( $name => Return::$V {
                        $tf: r.get("from")?,
                        $( $e: r.get($ek)?, )*
                        $( $o: r.get($ok)?, )*
                        $res: Outcome::read_out(r, result, methods!(@key $($resk)?))?,
                    }, )*
                    _ => return Err(r.unknown_method("return", what)),
                })
            }

            /// One return of every method for each of `n` sample values; the `i`th answers the
            /// `i`th call of [`Call::examples`].
            #[cfg(test)]
            pub(crate) fn examples(n: usize) -> Vec<Return> {
                use $crate::method::tests::sample;
                let mut out = Vec::new();
                for i in 0..n {
                    $( out.push(Return::$V { $tf: sample(i), $( $e: sample(i), )* $( $o: sample(i), )* $res: sample(i) }); )*
                }
                out
            }
        }

        impl Call {
            /// True when `ret` answers this call: same method, same identifying arguments.
            #[must_use]
            #[inline]
            pub fn is_answered_by(&self, ret: &Return) -> bool {
                match self {
                    $( Call::$V { $tf, $($e,)* .. } => {
                        let asked = ($tf, $($e,)*);
                        matches!(ret, Return::$V { $tf, $($e,)* .. } if asked == ($tf, $($e,)*))
                    } )*
                }
            }
        }

        impl std::fmt::Display for Return {
            #[allow(unused_variables)]
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                use $crate::method::Outcome;
                match self {
                    $( Return::$V { $tf, $($e,)* $($o,)* $res } => {
                        write!(f, $rshown)?;
                        f.write_str(" => ")?;
                        $res.show(methods!(@key $($resk)?), f)?;
                        $( write!(f, " {}={}", $ok, $o)?; )*
                        Ok(())
                    } )*
                }
            }
        }
    };
}

/// An enum whose variants are kinds of trace line of one kind key: the support calls, and the
/// inputs of the session, the queue and the client. The header names the enum, what its lines
/// are called in errors, the key that says which variant a line is, and the function that gives
/// a variant's name; then one row per variant:
///
/// ```text
/// /// doc
/// Variant = "name in a trace" [if has ["key", ...] | if lacks ["key", ...]] {
///     /// doc
///     field: Type = "trace key" [as FlagType],  (`as`: a raw flag word written by the names of FlagType)
/// } shown "display";
/// ```
///
/// or `Variant = "name" (field: Type = "key") shown ...;` for a variant that carries one value,
/// or `Variant = "name" shown ...;` for one that carries none. Two rows may share a name when
/// guards on the line's keys tell them apart.
macro_rules! lines {
    (
        $(#[$edoc:meta])*
        pub enum $Enum:ident: $noun:literal at $kind:literal $(also [$($also:literal),*])?, fn $namefn:ident {
            $(
                $(#[$doc:meta])*
                $V:ident = $name:literal $(if $guard:ident [$($gk:literal),*])?
                $({ $( $(#[$fd:meta])* $f:ident : $ft:ty = $fk:tt $(as $via:ty)?, )* })?
                $(( $tf:ident : $tft:ty = $tk:tt ))?
                shown $shown:tt;
            )*
        }
    ) => {
        $(#[$edoc])*
        pub enum $Enum {
            $(
                $(#[$doc])*
                $V $({ $( $(#[$fd])* $f: $ft, )* })? $(($tft))?,
            )*
        }

        impl $Enum {
            /// The names a trace gives the variants, in the order of the declaration.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            /// The name a trace gives this variant.
            #[must_use]
            pub const fn $namefn(&self) -> &'static str {
                match self {
                    $( $Enum::$V { .. } => $name, )*
                }
            }

            /// Writes the line, naming the variant under `kind`.
            pub(crate) fn encode(&self, w: &mut $crate::trace::json::Writer<'_>, kind: &str) {
                match self {
                    $( $Enum::$V $({ $($f,)* })? $(($tf))? => {
                        w.text(kind, $name);
                        $($( lines!(@put w $fk $f $($via)?); )*)?
                        $( w.put($tk, $tf); )?
                    } )*
                }
            }

            /// Reads the variant `what` from its line.
            pub(crate) fn decode(
                what: &str,
                r: &mut $crate::trace::json::Reader<'_, '_>,
            ) -> Result<$Enum, $crate::trace::TraceError> {
                Ok(match what {
                    $( $name $(if lines!(@guard r $guard [$($gk),*]))? => $Enum::$V
                        $({ $( $f: lines!(@get r $fk $($via)?), )* })?
                        $(( r.get::<$tft>($tk)? ))?, )*
                    _ => {
                        let also: &[&str] = &[$($($also),*)?];
                        return Err(r.unknown($kind, $noun, what, &[Self::NAMES, also].concat()));
                    }
                })
            }

            /// One value of every variant for each of `n` sample values.
            #[cfg(test)]
            pub(crate) fn examples(n: usize) -> Vec<$Enum> {
                use $crate::method::tests::sample;
                let mut out = Vec::new();
                for i in 0..n {
                    $( out.push($Enum::$V $({ $( $f: sample(i), )* })? $(( sample::<$tft>(i) ))?); )*
                }
                out
            }
        }

        impl std::fmt::Display for $Enum {
            #[allow(unused_variables)]
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $( $Enum::$V $({ $($f,)* })? $(($tf))? => shown!(f $shown), )*
                }
            }
        }
    };

    (@guard $r:ident has [$($k:literal),*]) => { $r.has_any(&[$($k),*]) };
    (@guard $r:ident lacks [$($k:literal),*]) => { !$r.has_any(&[$($k),*]) };
    (@put $w:ident $key:tt $v:ident) => { $w.put($key, $v) };
    (@put $w:ident $key:tt $v:ident $via:ty) => { $w.word::<$via>($key, *$v) };
    (@get $r:ident $key:tt) => { $r.get($key)? };
    (@get $r:ident $key:tt $via:ty) => { $r.word::<$via>($key)? };
}

/// Every flag word a trace line carries: `callback!(XpInitFlags, ...)`.
macro_rules! flag_words {
    ($callback:ident) => {
        $callback!(
            XpInitFlags,
            LogonFlags,
            LogonCaps,
            NotifyFlags,
            SubmitFlags,
            EndFlags,
            StatusRowFlags,
            StatusCode,
            SpoolerNotifyFlags,
            LogoffFlags,
            HookFlags,
            ValidateFlags,
            FlushFlags,
            SettingsFlags,
            PasswordFlags,
            ResourceMethods,
            ResourceFlags,
            QueueFlags,
        );
    };
}
