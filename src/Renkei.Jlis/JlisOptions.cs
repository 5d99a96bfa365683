using Microsoft.Extensions.Options;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Pki;

namespace Renkei.Jlis;

/// <summary>
/// J-LIS's settings (configuration section <see cref="Section"/>, e.g. <c>Jlis:KeyFilePath</c>, <c>Jlis:Pki:Passphrase</c>).
/// What is not configuration comes from DI: the clock (<see cref="TimeProvider"/>), mutual TLS and the handler under the
/// requests to the network (<see cref="JlisOutgoingHandler"/>).
/// </summary>
public sealed class JlisOptions
{
    public const string Section = "Jlis";

    /// <summary>J-LIS's own database: <c>sqlite:&lt;path&gt;</c> or <c>postgres:&lt;connection string&gt;</c>; not needed when the composer registered a <see cref="Infrastructure.Database"/>.</summary>
    public string? Database { get; set; }

    /// <summary>The numbering key file (32 bytes, created with random bytes on first run). Back it up with the database.</summary>
    public string? KeyFilePath { get; set; }

    /// <summary>Token issuance through the network (符号取得, section <c>Jlis:Tokens</c>); none: J-LIS serves no token routes.</summary>
    public JlisTokenSettings? Tokens { get; set; }

    /// <summary>The JPKI certificate authorities (公的個人認証) and the card service (section <c>Jlis:Pki</c>); none: J-LIS serves no card or certificate routes.</summary>
    public JpkiSettings? Pki { get; set; }

    /// <summary>
    /// Institutions to register in J-LIS's own registry (<see cref="JlisInstitutions"/>) before it starts (the deployment's
    /// and the demo's wards, portal, verifiers and call centre); others may be registered at any time.
    /// </summary>
    public List<JlisInstitutionSetting> Institutions { get; set; } = [];
}

/// <summary>
/// How J-LIS reaches the network to have tokens issued (符号取得): J-LIS is an institution on the network (class
/// <see cref="Network.Contracts.InstitutionClass.NumberingAuthority"/>) with its own signing and sealing keys in
/// <see cref="KeyDirectory"/> (created on first use); the network must have it registered with that signing key.
/// </summary>
public sealed class JlisTokenSettings
{
    /// <summary>The network's base address.</summary>
    public Uri? NetworkAddress { get; set; }

    /// <summary>J-LIS's institution keys (signing.key, sealing.key; mode 600).</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>J-LIS's code in the network's registry.</summary>
    public string InstitutionCode { get; set; } = JlisTokenRoutes.JlisInstitutionCode;

    /// <summary>How long an institution's registry entry (class, signing key) is used before it is looked up again.</summary>
    public TimeSpan InstitutionCacheTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long J-LIS waits for the network (a batch of 50,000 includes delivery to the institution's intermediate server).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Where the JPKI certificate authorities keep their keys and how to open them (<see cref="JpkiOptions"/> as settings). The passphrase is never printed.</summary>
public sealed class JpkiSettings
{
    /// <summary>The directory of the CA key file (<see cref="JpkiOptions.KeyFileName"/>) and of J-LIS's card keys.</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>The passphrase of the key file (a secret: set it from the environment, <c>Jlis__Pki__Passphrase</c>). Never logged.</summary>
    public string? Passphrase { get; set; }

    /// <summary>The public address the CRL distribution points of new certificates name (<see cref="JpkiOptions.DistributionBaseAddress"/>).</summary>
    public Uri DistributionBaseAddress { get; set; } = new("http://jlis.renkei.test/");

    /// <summary>PBKDF2 iterations used when the key file is created (at least <see cref="JpkiOptions.MinimumKeyFileIterations"/>).</summary>
    public int KeyFileIterations { get; set; } = JpkiOptions.DefaultKeyFileIterations;

    /// <summary>How long a CRL is valid (its nextUpdate).</summary>
    public TimeSpan CrlValidity { get; set; } = TimeSpan.FromHours(24);

    public JpkiOptions ToJpkiOptions() => new(KeyDirectory!, Passphrase!)
    {
        DistributionBaseAddress = DistributionBaseAddress,
        KeyFileIterations = KeyFileIterations,
        CrlValidity = CrlValidity,
    };

    public override string ToString() => $"JpkiSettings {{ KeyDirectory = {KeyDirectory}, DistributionBaseAddress = {DistributionBaseAddress} }}";
}

/// <summary>An institution registered at J-LIS at start (<see cref="JlisInstitution"/> as a setting).</summary>
public sealed class JlisInstitutionSetting
{
    public string? Code { get; set; }
    public string? Name { get; set; }

    /// <summary>One of <see cref="JlisRoles.All"/>.</summary>
    public string? Role { get; set; }

    /// <summary>SubjectPublicKeyInfo DER, base64.</summary>
    public string? SigningPublicKey { get; set; }

    public JlisInstitution ToInstitution() => new(Code ?? "", Name ?? "", Role ?? "", SigningPublicKey ?? "");
}

/// <summary>Makes the handler under J-LIS's requests to the network; default: J-LIS's own mutual TLS when registered, else plain sockets.</summary>
public sealed record JlisOutgoingHandler(Func<HttpMessageHandler?> Create);

/// <summary>Checks <see cref="JlisOptions"/> at start; each failure names the setting, never its value.</summary>
internal sealed class JlisOptionsValidator(bool databaseRegistered) : IValidateOptions<JlisOptions>
{
    public ValidateOptionsResult Validate(string? name, JlisOptions options)
    {
        var failures = new List<string>();
        const string s = JlisOptions.Section + ":";
        if (!databaseRegistered && !Database.IsSetting(options.Database)) failures.Add(s + "Database must be sqlite:<path> or postgres:<connection string>");
        if (string.IsNullOrWhiteSpace(options.KeyFilePath)) failures.Add(s + "KeyFilePath is required");
        if (options.Tokens is { } tokens)
        {
            if (tokens.NetworkAddress is not { IsAbsoluteUri: true }) failures.Add(s + "Tokens:NetworkAddress is required (an absolute address)");
            if (string.IsNullOrWhiteSpace(tokens.KeyDirectory)) failures.Add(s + "Tokens:KeyDirectory is required");
            if (string.IsNullOrWhiteSpace(tokens.InstitutionCode)) failures.Add(s + "Tokens:InstitutionCode is required");
            if (tokens.InstitutionCacheTime < TimeSpan.Zero) failures.Add(s + "Tokens:InstitutionCacheTime must not be negative");
            if (tokens.NetworkTimeout <= TimeSpan.Zero) failures.Add(s + "Tokens:NetworkTimeout must be positive");
        }
        if (options.Pki is { } pki)
        {
            if (string.IsNullOrWhiteSpace(pki.KeyDirectory)) failures.Add(s + "Pki:KeyDirectory is required");
            if (string.IsNullOrEmpty(pki.Passphrase)) failures.Add(s + "Pki:Passphrase is required");
            if (pki.DistributionBaseAddress is not { IsAbsoluteUri: true }) failures.Add(s + "Pki:DistributionBaseAddress must be an absolute address");
            if (pki.KeyFileIterations < JpkiOptions.MinimumKeyFileIterations)
                failures.Add($"{s}Pki:KeyFileIterations must be at least {JpkiOptions.MinimumKeyFileIterations}");
            if (pki.CrlValidity <= TimeSpan.Zero) failures.Add(s + "Pki:CrlValidity must be positive");
        }
        Pia.JlisPia.Files.Check(failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
