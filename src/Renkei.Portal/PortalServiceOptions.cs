using Renkei.Infrastructure.Tls;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.Portal;

/// <summary>
/// How to run the citizen portal (マイナポータル) with <see cref="PortalService.StartAsync"/>, which passes it on as settings
/// (<see cref="PortalOptions"/>) and container registrations. The portal is an institution on the network (class Portal) with its own
/// signing and sealing keys in <paramref name="KeyDirectory"/> (created on first use; the network must have it registered
/// with them). It keeps no database: a login session (in memory) holds the person's portal token until logout or
/// <see cref="IdleTimeout"/>; records, information and notices are fetched for the page and not kept.
/// </summary>
/// <param name="InstitutionCode">The portal's code in the network's registry (the demo uses <c>PORTAL</c>).</param>
/// <param name="Name">Shown in the page header, e.g. マイナポータル.</param>
/// <param name="KeyDirectory">The portal's institution keys (signing.key, sealing.key; mode 600).</param>
/// <param name="NetworkAddress">The information provision network's base address.</param>
/// <param name="JlisAddress">J-LIS's base address (JPKI certificates, CRLs and status; the login proof → portal token route).</param>
public sealed record PortalServiceOptions(string InstitutionCode, string Name, string KeyDirectory, Uri NetworkAddress, Uri JlisAddress)
{
    /// <summary>The wards that accept one-stop e-applications, and where their inbox is.</summary>
    public IReadOnlyList<PortalWard> Wards { get; init; } = [];

    /// <summary>The clock for challenges, sessions and request signatures.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    public string Address { get; init; } = "127.0.0.1";

    /// <summary>A session unused this long is closed (the person logs in again with the card).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Mutual TLS for the portal's calls to the network, J-LIS and the wards (deployment); null: plain HTTP (the demo).</summary>
    public MutualTls? Tls { get; init; }

    /// <summary>Makes the handler for outgoing requests (tests); null: <see cref="Tls"/>'s when set, else a plain <see cref="SocketsHttpHandler"/>.</summary>
    public Func<HttpMessageHandler>? OutgoingHandler { get; init; }

    /// <summary>
    /// The network's log-signing key (SubjectPublicKeyInfo DER, base64) as the portal's operator pinned it (required: the
    /// portal does not start without it) — the key that signs the provision records' heads and name table, not the key
    /// that signs the network's requests. The history page's proof verifier accepts a signed tree head only under this key
    /// and shows its fingerprint; a head signed with any other key (the network's request key among them) fails.
    /// </summary>
    public string? NetworkLogPublicKey { get; init; }

    /// <summary>How long the portal waits for the network (a self-information query goes on to the holder).</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
