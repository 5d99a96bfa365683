namespace Renkei.Portal;

/// <summary>
/// The citizen portal (マイナポータル): a Japanese web application on Kestrel, usable on a phone-sized screen. A resident
/// logs in with the individual number card through the in-page card reader (the software card's user-authentication key
/// signs a challenge after the PIN opens it; the portal checks the certificate's chain and status at J-LIS and obtains the
/// person's portal token through J-LIS), then sees who used their information (やりとり履歴, with an inclusion proof per
/// record), their own information from holders (わたしの情報), notices (お知らせ) and submits one-stop e-applications.
/// The module is <see cref="PortalModule"/> (settings: <see cref="PortalOptions"/>); the country builder and <c>renkei serve</c> run it.
/// </summary>
public static class PortalService
{
    /// <summary>The assembly name doubles as the host's application name so ASP.NET Core finds the compiled pages in it.</summary>
    public const string ServiceName = "Renkei.Portal";

    /// <summary>Session cookie: an opaque random token; the session itself stays in the portal's memory.</summary>
    public const string SessionCookie = "renkei_portal";

    /// <summary>The portal's session cookie as an authentication scheme: every page but the top, login and logout pages needs a live session.</summary>
    internal const string SessionScheme = "portal-session";

    /// <summary>Where the portal's own scripts and styles are served from (embedded wwwroot files): <c>/assets/card-reader.js</c>.</summary>
    public const string AssetsPath = "/assets/";
}
