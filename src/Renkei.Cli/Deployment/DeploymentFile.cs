using System.Text.Json.Serialization;

namespace Renkei.Cli.Deployment;

// The configuration file of `renkei serve --config <file>` exactly as written (JSON, camelCase, unknown settings
// refused). DeploymentConfig.Load checks it and resolves it; docs/deployment.md documents every setting.

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class DeploymentFile
{
    public string? Role { get; set; }
    public InstitutionSection? Institution { get; set; }
    public ListenSection? Listen { get; set; }
    public string? Database { get; set; }
    public string? KeyDirectory { get; set; }
    public TlsSection? Tls { get; set; }
    public PeersSection? Peers { get; set; }
    public IntermediateSection? Intermediate { get; set; }
    public MunicipalitySection? Municipality { get; set; }
    public HolderSection? Holder { get; set; }
    public NetworkSection? Network { get; set; }
    public JlisSection? Jlis { get; set; }
    public PortalSection? Portal { get; set; }
    public AuditSection? Audit { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class AuditSection
{
    /// <summary>How often, at most, the role's signed logs leave their head unsigned while entries arrive (1–60 s).</summary>
    public int? CheckpointSeconds { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class InstitutionSection
{
    public string? Code { get; set; }
    public string? Name { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ListenSection
{
    public string? Address { get; set; }
    public int? Port { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class TlsSection
{
    public string? Certificate { get; set; }
    public string? Key { get; set; }
    public string? Authority { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PeersSection
{
    public string? Network { get; set; }
    public string? Jlis { get; set; }
    public string? Intermediate { get; set; }

    /// <summary>The network's signing public key (SPKI DER base64), or a file <c>serve --public-keys</c> wrote: what nodes pin to verify the network's requests.</summary>
    public string? NetworkSigningPublicKey { get; set; }
    public string? NetworkPublicKeys { get; set; }

    /// <summary>The network's log-signing key (SPKI DER base64), what the portal pins for the provision records; or from the <see cref="NetworkPublicKeys"/> file.</summary>
    public string? NetworkLogPublicKey { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class IntermediateSection
{
    public ListenSection? Listen { get; set; }
    public string? Database { get; set; }
    public string? KindsFile { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class MunicipalitySection
{
    public bool? DemoStaff { get; set; }

    /// <summary>The citizen portal's public-keys file (<c>serve --role portal --public-keys</c>): the portal whose forwarded e-applications the ward takes.</summary>
    public string? PortalPublicKeys { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class JlisSection
{
    /// <summary>A file holding the passphrase of the JPKI CAs' key file: with it J-LIS runs its JPKI and card services.</summary>
    public string? JpkiPassphraseFile { get; set; }

    /// <summary>J-LIS's own registry of connected institutions (wards, the portal, verifiers, the card call centre).</summary>
    public List<JlisRegistryEntry?>? Institutions { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class JlisRegistryEntry
{
    public string? Code { get; set; }
    public string? Name { get; set; }

    /// <summary>municipality, portal, verifier or cardCallCentre.</summary>
    public string? Role { get; set; }

    public string? SigningPublicKey { get; set; }

    /// <summary>A file with the institution's public keys, as <c>renkei serve --public-keys</c> prints them.</summary>
    public string? PublicKeys { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PortalSection
{
    public List<PortalWardEntry?>? Wards { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PortalWardEntry
{
    public string? Code { get; set; }
    public string? Name { get; set; }

    /// <summary>The ward service's base address, where its e-application inbox is.</summary>
    public string? Endpoint { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class HolderSection
{
    public string? Kind { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class NetworkSection
{
    public double? ProviderTimeoutSeconds { get; set; }
    public List<RegistryEntry?>? Institutions { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class RegistryEntry
{
    public string? Code { get; set; }
    public string? Name { get; set; }
    public string? Class { get; set; }
    public string? Endpoint { get; set; }
    public string? SigningPublicKey { get; set; }
    public string? SealingPublicKey { get; set; }

    /// <summary>A file with the institution's public keys, as <c>renkei serve --public-keys</c> prints them.</summary>
    public string? PublicKeys { get; set; }
}

/// <summary>What <c>renkei serve --config &lt;file&gt; --public-keys</c> prints and a registry entry's <c>publicKeys</c> file holds.</summary>
/// <paramref name="LogSigningPublicKey"/> is the network's only: the key that signs its provision records' heads, checkpoints and name table.
public sealed record InstitutionPublicKeys(string Code, string SigningPublicKey, string SealingPublicKey, string? LogSigningPublicKey = null);
