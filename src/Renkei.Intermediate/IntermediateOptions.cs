using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;

namespace Renkei.Intermediate;

/// <summary>
/// The intermediate server's settings (configuration section <see cref="Section"/>, e.g. <c>Intermediate:HolderCode</c>).
/// What is not configuration comes from DI: the clock (<see cref="TimeProvider"/>), mutual TLS and the handler under the
/// requests to the network (<see cref="IntermediateOutgoingHandler"/>).
/// </summary>
public sealed class IntermediateOptions
{
    public const string Section = "Intermediate";

    /// <summary>The intermediate server's own database (never the business systems' or the register's): <c>sqlite:&lt;path&gt;</c> or
    /// <c>postgres:&lt;connection string&gt;</c>; not needed when the composer registered a <see cref="Infrastructure.Database"/>.</summary>
    public string? Database { get; set; }

    /// <summary>The information holder it serves (a local government code such as 131091, or another institution's code).</summary>
    public string? HolderCode { get; set; }

    /// <summary>The holder's name, e.g. 品川区.</summary>
    public string? HolderName { get; set; }

    /// <summary>A deployment's own information-kind file; null uses the shipped policy/intermediate/information-kinds.json.</summary>
    public string? KindsFile { get; set; }

    /// <summary>
    /// The institution's keys on the network (<c>signing.key</c>, <c>sealing.key</c>; created on first use). Required: the
    /// holder's own systems are the holder itself, identified by its certificate (deployed) or by a request signature with
    /// this signing key (demo), and nothing else may call the holder's routes. With <see cref="NetworkAddress"/> and
    /// <see cref="NetworkSigningPublicKey"/> it makes the server its institution's node: token delivery, provision to the
    /// network, queries and the holder's provision records. Without those two the server keeps and provides copies only
    /// (and registers token requests).
    /// </summary>
    public string? InstitutionKeyDirectory { get; set; }

    /// <summary>The network's base address (情報提供ネットワークシステム).</summary>
    public Uri? NetworkAddress { get; set; }

    /// <summary>The network's signing public key (SubjectPublicKeyInfo DER, base64), pinned: it verifies the network's requests to the node.</summary>
    public string? NetworkSigningPublicKey { get; set; }

    /// <summary>How long a call to the network may take (an immediate query includes the provider's answer).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The party records' log (a network node's provision records): how often its head is signed while records arrive (<see cref="AuditLogOptions.CheckpointPeriod"/>). Default <see cref="AuditLogOptions.Default"/>.</summary>
    public AuditLogSetting AuditLog { get; set; } = new();

    /// <summary>True when a network setting is given (starting then requires both, and says which is missing).</summary>
    public bool IsNetworkNode => NetworkAddress is not null || !string.IsNullOrEmpty(NetworkSigningPublicKey);
}

/// <summary>Makes the handler under the signed client that calls the network (mutual TLS plugs in here); default: from the registered <see cref="Infrastructure.Tls.MutualTls"/>, else plain sockets.</summary>
public sealed record IntermediateOutgoingHandler(Func<HttpMessageHandler?> Create);

/// <summary>Checks <see cref="IntermediateOptions"/> at start; each failure names the setting, never its value.</summary>
internal sealed class IntermediateOptionsValidator(bool databaseRegistered) : IValidateOptions<IntermediateOptions>
{
    public ValidateOptionsResult Validate(string? name, IntermediateOptions options)
    {
        var failures = new List<string>();
        const string s = IntermediateOptions.Section + ":";
        if (!databaseRegistered && !Database.IsSetting(options.Database)) failures.Add(s + "Database must be sqlite:<path> or postgres:<connection string>");
        if (string.IsNullOrWhiteSpace(options.HolderCode)) failures.Add(s + "HolderCode is required");
        if (string.IsNullOrWhiteSpace(options.HolderName)) failures.Add(s + "HolderName is required");
        if (string.IsNullOrWhiteSpace(options.InstitutionKeyDirectory))
            failures.Add(s + "InstitutionKeyDirectory is required: the holder's own systems call the intermediate server as the holder, with its institution key or certificate");
        if (options.NetworkTimeout <= TimeSpan.Zero) failures.Add(s + "NetworkTimeout must be positive");
        if (options.IsNetworkNode)
        {
            if (options.NetworkAddress is not { IsAbsoluteUri: true }) failures.Add(s + "NetworkAddress is required for a network node (an absolute address)");
            if (string.IsNullOrEmpty(options.NetworkSigningPublicKey)) failures.Add(s + "NetworkSigningPublicKey is required for a network node");
            else if (!IsEcdsaPublicKey(options.NetworkSigningPublicKey))
                failures.Add(s + "NetworkSigningPublicKey is not an ECDSA public key (SubjectPublicKeyInfo DER, base64)");
        }
        Pia.IntermediatePia.Files.Check(failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsEcdsaPublicKey(string key)
    {
        try
        {
            using var imported = Core.Crypto.RequestSignature.ImportPublicKey(key);
            return true;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
    }
}
