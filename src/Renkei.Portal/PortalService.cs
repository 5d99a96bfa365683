using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renkei.ServiceDefaults;

namespace Renkei.Portal;

/// <summary>
/// The citizen portal (マイナポータル): a Japanese web application on Kestrel, usable on a phone-sized screen. A resident
/// logs in with the individual number card through the in-page card reader (the software card's user-authentication key
/// signs a challenge after the PIN opens it; the portal checks the certificate's chain and status at J-LIS and obtains the
/// person's portal token through J-LIS), then sees who used their information (やりとり履歴, with an inclusion proof per
/// record), their own information from holders (わたしの情報), notices (お知らせ) and submits one-stop e-applications.
/// The module is <see cref="PortalModule"/>; <see cref="StartAsync"/> runs it from a <see cref="PortalServiceOptions"/>.
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

    /// <summary>Starts the portal with <paramref name="options"/> as its settings (<see cref="PortalModule.AddPortal"/>, <see cref="PortalModule.MapPortal"/>).</summary>
    /// <exception cref="OptionsValidationException">a setting is wrong (the message names it); nothing listens and no key is made.</exception>
    public static Task<ServiceHost> StartAsync(PortalServiceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ServiceHost.StartAsync(ServiceName,
            builder =>
            {
                // What is not configuration: the caller's clock, TLS (the caller disposes it) and outgoing handler.
                builder.Services.AddSingleton(options.Clock);
                if (options.Tls is { } tls) builder.Services.AddSingleton(tls);
                if (options.OutgoingHandler is { } outgoing) builder.Services.AddSingleton(new PortalOutgoingHandler(outgoing));
                builder.AddPortal();
            },
            app => app.MapPortal(),
            // The portal's pages are plain HTTP (behind the deployment's web front); its own calls use the TLS above.
            new ServiceHostOptions(options.Port, options.Address) { Settings = Settings(options) }, cancellationToken);
    }

    private static Dictionary<string, string?> Settings(PortalServiceOptions options)
    {
        const string s = PortalOptions.Section;
        var settings = new Dictionary<string, string?>
        {
            [$"{s}:{nameof(PortalOptions.InstitutionCode)}"] = options.InstitutionCode,
            [$"{s}:{nameof(PortalOptions.Name)}"] = options.Name,
            [$"{s}:{nameof(PortalOptions.KeyDirectory)}"] = options.KeyDirectory,
            [$"{s}:{nameof(PortalOptions.NetworkAddress)}"] = options.NetworkAddress?.ToString(),
            [$"{s}:{nameof(PortalOptions.JlisAddress)}"] = options.JlisAddress?.ToString(),
            [$"{s}:{nameof(PortalOptions.IdleTimeout)}"] = options.IdleTimeout.ToString("c", CultureInfo.InvariantCulture),
            [$"{s}:{nameof(PortalOptions.NetworkLogPublicKey)}"] = options.NetworkLogPublicKey,
            [$"{s}:{nameof(PortalOptions.NetworkTimeout)}"] = options.NetworkTimeout.ToString("c", CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < options.Wards.Count; i++)
        {
            settings[$"{s}:{nameof(PortalOptions.Wards)}:{i}:{nameof(PortalWard.Code)}"] = options.Wards[i].Code;
            settings[$"{s}:{nameof(PortalOptions.Wards)}:{i}:{nameof(PortalWard.Name)}"] = options.Wards[i].Name;
            settings[$"{s}:{nameof(PortalOptions.Wards)}:{i}:{nameof(PortalWard.EApplicationAddress)}"] = options.Wards[i].EApplicationAddress?.ToString();
        }
        return settings;
    }
}
