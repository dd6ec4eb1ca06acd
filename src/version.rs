//! SPI version numbers and their negotiation (VER-1 to VER-6).

use std::fmt;

/// A service provider interface version: bits 24–31 are the major number, bits 16–23 the minor
/// number and bits 0–15 the update (VER-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpiVersion(pub u32);

impl SpiVersion {
    /// `PDK1_SPI_VERSION` (VER-2).
    pub const PDK1: SpiVersion = SpiVersion(0x0001_0000);
    /// `PDK2_SPI_VERSION` (VER-2).
    pub const PDK2: SpiVersion = SpiVersion(0x0001_0008);
    /// `PDK3_SPI_VERSION`, which is also `CURRENT_SPI_VERSION` (VER-2).
    pub const PDK3: SpiVersion = SpiVersion(0x0001_0010);
    /// `CURRENT_SPI_VERSION` of `MAPISPI.h` (VER-2).
    pub const CURRENT: SpiVersion = SpiVersion::PDK3;

    /// The major number (bits 24–31).
    #[must_use]
    pub const fn major(self) -> u8 {
        (self.0 >> 24) as u8
    }

    /// The minor number (bits 16–23).
    #[must_use]
    pub const fn minor(self) -> u8 {
        (self.0 >> 16) as u8
    }

    /// The update number (bits 0–15).
    #[must_use]
    pub const fn update(self) -> u16 {
        self.0 as u16
    }

    /// Assembles a version from its three parts (VER-1).
    #[must_use]
    pub const fn new(major: u8, minor: u8, update: u16) -> SpiVersion {
        SpiVersion(((major as u32) << 24) | ((minor as u32) << 16) | update as u32)
    }
}

impl fmt::Display for SpiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:08X}", self.0)
    }
}

/// The range of provider SPI versions MAPI accepts: `XPProviderInit` passes `mapi` as
/// `ulMAPIVer`, and a provider must answer with a version no newer than that (VER-3) and no
/// older than `oldest` (VER-4). Together the two checks settle on exactly one version, the one
/// the provider returned (VER-5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VersionRange {
    /// The oldest provider version MAPI still works with.
    pub oldest: SpiVersion,
    /// The version MAPI itself implements, passed to the provider.
    pub mapi: SpiVersion,
}

impl Default for VersionRange {
    fn default() -> Self {
        VersionRange { oldest: SpiVersion::PDK1, mapi: SpiVersion::CURRENT }
    }
}

/// The verdict on a version a provider returned from `XPProviderInit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Negotiation {
    /// The versions overlap: this is the version both sides use (VER-5).
    Agreed(SpiVersion),
    /// The provider is newer than MAPI; it should have failed with `MAPI_E_VERSION` itself
    /// (VER-3).
    ProviderTooNew,
    /// The provider is older than MAPI accepts; MAPI releases it as if `XPProviderInit` had
    /// failed with `MAPI_E_VERSION` (VER-4).
    ProviderTooOld,
}

impl VersionRange {
    /// Judges the version a provider returned (VER-3, VER-4, VER-5).
    #[must_use]
    pub fn negotiate(self, provider: SpiVersion) -> Negotiation {
        if provider > self.mapi {
            Negotiation::ProviderTooNew
        } else if provider < self.oldest {
            Negotiation::ProviderTooOld
        } else {
            Negotiation::Agreed(provider)
        }
    }
}
