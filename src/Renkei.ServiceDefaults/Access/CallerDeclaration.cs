namespace Renkei.ServiceDefaults.Access;

/// <summary>The kinds of caller a route may be declared for (DESIGN.md trust rule 10).</summary>
public enum CallerKind
{
    /// <summary>Anyone: only where the real system is public (CA certificates, CRLs, health, login pages, static assets).</summary>
    Public,

    /// <summary>A registered institution of the network, by its mutual-TLS certificate (deployed) or request signature (demo), possibly of given classes.</summary>
    Institution,

    /// <summary>Exactly one institution: the holder's own systems on its intermediate server, or the network on a node's routes.</summary>
    OneInstitution,

    /// <summary>A logged-in staff member of the ward (bearer token or console cookie); the affair decides the rest in the handler.</summary>
    StaffSession,

    /// <summary>A resident logged in to the portal with the card.</summary>
    ResidentSession,

    /// <summary>
    /// The device's own screen (a kiosk terminal's touch page): a browser on the same machine (loopback) on a page of the
    /// same origin; nobody else reaches the route (<see cref="LocalScreenAuthentication"/>).
    /// </summary>
    LocalScreen,
}

/// <summary>
/// Who may call a route, stated where it is mapped (<see cref="RouteAccess"/>). A service whose routes lack one does not
/// start (<see cref="RouteInventory.EnsureDeclared"/>); the route inventory test reads these.
/// </summary>
/// <param name="Kind">The kind of caller.</param>
/// <param name="Who">Who that is, in words for the route table (e.g. "a ward (Municipality)", "the network").</param>
/// <param name="Institutions">For <see cref="CallerKind.Institution"/> the classes allowed (empty: any registered); for <see cref="CallerKind.OneInstitution"/> the one code.</param>
public sealed record CallerDeclaration(CallerKind Kind, string Who, IReadOnlyList<string> Institutions)
{
    /// <summary>The stable code of the 403 an authenticated caller gets when the route is not for it (default <see cref="RouteAccess.NotPermittedCode"/>).</summary>
    public string RefusalCode { get; init; } = RouteAccess.NotPermittedCode;

    /// <summary>The message of that 403.</summary>
    public string RefusalMessage { get; init; } = "this route is not open to the calling institution (この機関はこの機能を利用できません)";

    public override string ToString() => Institutions.Count == 0 ? $"{Kind}: {Who}" : $"{Kind} ({string.Join(", ", Institutions)}): {Who}";
}
