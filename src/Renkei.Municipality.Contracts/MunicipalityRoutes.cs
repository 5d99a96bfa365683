namespace Renkei.Municipality.Contracts;

/// <summary>Routes of the municipality's HTTP service. Every body is JSON; numbers, codes and tokens never appear in a URL.</summary>
public static class MunicipalityRoutes
{
    public const string Health = "health";
    public const string StaffSessions = "staff/sessions";
    public const string StaffSessionAffair = "staff/sessions/affair";
    public const string StaffSessionCurrent = "staff/sessions/current";
    public const string Births = "residents/births";
    public const string Arrivals = "residents/arrivals";
    public const string ArrivalsFromAbroad = "residents/arrivals-from-abroad";
    public const string Departures = "residents/departures";
    public const string Deaths = "residents/deaths";
    public const string AddressChanges = "residents/address-changes";
    public const string NameChanges = "residents/name-changes";
    public const string HouseholdChanges = "residents/household-changes";
    public const string HeadChanges = "households/head-changes";
    public const string NumberChanges = "residents/number-changes";
    public const string Search = "residents/search";
    public const string ResidenceCertificate = "certificates/residence";

    /// <summary>A certificate as issued at the counter, as a PDF (<see cref="CertificatePdfRequest"/>): recorded in the issuance ledger.</summary>
    public const string CertificatePdf = "certificates/pdf";

    /// <summary>
    /// The e-application inbox (<see cref="EApplicationRoutes.Submit"/>): no staff session; the portal that forwards it
    /// (one of the ward's pinned e-application portals) and the resident's signature are what is checked.
    /// </summary>
    public const string EApplications = EApplicationRoutes.Submit;

    /// <summary>
    /// Optional request header naming the client terminal (端末) for the operation log: 1–32 of A–Z a–z 0–9 . _ : -.
    /// The log records <c>&lt;name&gt;@&lt;client address&gt;</c>, or <c>api@&lt;client address&gt;</c> without (or with an unusable) header.
    /// </summary>
    public const string TerminalHeader = "X-Renkei-Terminal";
}

/// <summary>The answer of <see cref="MunicipalityRoutes.Health"/>: <c>ok</c>, the ward's code and name.</summary>
public sealed record MunicipalityHealth(string Status, string Municipality, string Name);
