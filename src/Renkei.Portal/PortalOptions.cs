using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;

namespace Renkei.Portal;

/// <summary>
/// How the citizen portal (マイナポータル) runs: the configuration section <see cref="Section"/> (<c>Portal:InstitutionCode</c> …).
/// The portal is an institution on the network (class Portal) with its own signing and sealing keys in
/// <see cref="KeyDirectory"/> (created on first use; the network must have it registered with them). It keeps no database:
/// a login session (in memory) holds the person's portal token until logout or <see cref="IdleTimeout"/>; records,
/// information and notices are fetched for the page and not kept. What is not configuration comes from the container: the
/// clock (<see cref="TimeProvider"/>), the mutual TLS of its outgoing calls (<see cref="ServiceDefaults.Tls.MutualTls"/>, none:
/// plain HTTP) and, for tests, a <see cref="PortalOutgoingHandler"/>.
/// </summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>The portal's code in the network's registry (the demo uses <c>PORTAL</c>).</summary>
    public string InstitutionCode { get; set; } = "";

    /// <summary>Shown in the page header, e.g. マイナポータル.</summary>
    public string Name { get; set; } = "";

    /// <summary>The portal's institution keys (signing.key, sealing.key; mode 600).</summary>
    public string KeyDirectory { get; set; } = "";

    /// <summary>The information provision network's base address.</summary>
    public Uri? NetworkAddress { get; set; }

    /// <summary>J-LIS's base address (JPKI certificates, CRLs and status; the login proof → portal token route).</summary>
    public Uri? JlisAddress { get; set; }

    /// <summary>The wards that accept one-stop e-applications, and where their inbox is (<c>Portal:Wards:0:Code</c> …).</summary>
    public List<PortalWard> Wards { get; set; } = [];

    /// <summary>A session unused this long is closed (the person logs in again with the card).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The network's log-signing key (SubjectPublicKeyInfo DER, base64) as the portal's operator pinned it (required: the
    /// portal does not start without it) — the key that signs the provision records' heads and name table, not the key
    /// that signs the network's requests. The history page's proof verifier accepts a signed tree head only under this key
    /// and shows its fingerprint; a head signed with any other key (the network's request key among them) fails.
    /// </summary>
    public string? NetworkLogPublicKey { get; set; }

    /// <summary>How long the portal waits for the network (a self-information query goes on to the holder).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>A ward that takes e-applications: code (e.g. 131091), name (品川区) and the base address of its service's inbox.</summary>
public sealed record PortalWard(string Code, string Name, Uri EApplicationAddress);

/// <summary>Makes the handler for the portal's outgoing requests (tests); without one: the mutual TLS handler when registered, else plain sockets.</summary>
public sealed record PortalOutgoingHandler(Func<HttpMessageHandler> Create);

/// <summary>Checks <see cref="PortalOptions"/> at start; each failure names the setting and never repeats its value.</summary>
internal sealed class PortalOptionsValidator : IValidateOptions<PortalOptions>
{
    public ValidateOptionsResult Validate(string? name, PortalOptions options)
    {
        const string s = PortalOptions.Section;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.InstitutionCode)) failures.Add($"{s}:InstitutionCode is required");
        if (string.IsNullOrWhiteSpace(options.Name)) failures.Add($"{s}:Name is required");
        if (string.IsNullOrWhiteSpace(options.KeyDirectory)) failures.Add($"{s}:KeyDirectory is required");
        if (!IsHttpAddress(options.NetworkAddress)) failures.Add($"{s}:NetworkAddress is required: an absolute http or https address");
        if (!IsHttpAddress(options.JlisAddress)) failures.Add($"{s}:JlisAddress is required: an absolute http or https address");
        if (string.IsNullOrWhiteSpace(options.NetworkLogPublicKey))
            failures.Add($"{s}:NetworkLogPublicKey is required: the network's log-signing key must be pinned, the history page trusts no key a tree head carries");
        else if (!IsPublicKey(options.NetworkLogPublicKey))
            failures.Add($"{s}:NetworkLogPublicKey must be an ECDSA public key (SubjectPublicKeyInfo DER, base64)");
        if (options.IdleTimeout <= TimeSpan.Zero) failures.Add($"{s}:IdleTimeout must be positive");
        if (options.NetworkTimeout <= TimeSpan.Zero) failures.Add($"{s}:NetworkTimeout must be positive");
        for (var i = 0; i < options.Wards.Count; i++)
        {
            var ward = options.Wards[i];
            if (!LocalGovernmentCode.Parse(ward.Code).IsValid) failures.Add($"{s}:Wards:{i}:Code must be a 6-digit local government code");
            if (string.IsNullOrWhiteSpace(ward.Name)) failures.Add($"{s}:Wards:{i}:Name is required");
            if (!IsHttpAddress(ward.EApplicationAddress)) failures.Add($"{s}:Wards:{i}:EApplicationAddress is required: an absolute http or https address");
        }
        if (options.Wards.Select(w => w.Code).Distinct(StringComparer.Ordinal).Count() != options.Wards.Count)
            failures.Add($"{s}:Wards lists a ward code twice");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpAddress(Uri? address) => address is { IsAbsoluteUri: true, Scheme: "http" or "https" };

    private static bool IsPublicKey(string key)
    {
        try
        {
            using var _ = RequestSignature.ImportPublicKey(key);
            return true;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
    }
}
