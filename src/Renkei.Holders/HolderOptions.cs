using Microsoft.Extensions.Options;
using Renkei.Infrastructure.Audit;
using Renkei.Intermediate.Contracts;

namespace Renkei.Holders;

/// <summary>
/// How one information holder (the pension organisation or a health insurer) runs: the configuration section
/// <see cref="Section"/> (<c>Holder:Kind</c>, <c>Holder:InstitutionCode</c> …). What is not configuration comes from the
/// container: the <see cref="Infrastructure.Database"/> (else <see cref="Database"/>), the clock (<see cref="TimeProvider"/>) and
/// the mutual TLS the holder calls its intermediate server and J-LIS with (<see cref="ServiceDefaults.Tls.MutualTls"/>, none: plain HTTP).
/// </summary>
public sealed class HolderOptions
{
    public const string Section = "Holder";

    /// <summary>Pension organisation or health insurer (required).</summary>
    public HolderKind? Kind { get; set; }

    /// <summary>Its code on the network (6–8 of 0-9 and A-Z); for an insurer, its 8-digit insurer number (保険者番号).</summary>
    public string InstitutionCode { get; set; } = "";

    /// <summary>Its name, e.g. 日本年金機構.</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// Its own database (never its intermediate server's): <c>sqlite:&lt;path&gt;</c> or <c>postgres:&lt;connection string&gt;</c>.
    /// Not needed when the composer registered a <see cref="Infrastructure.Database"/>.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>
    /// Its keys, each created on first use (mode 600): <c>institution/</c> (signing and sealing keys as a network institution,
    /// see <see cref="Infrastructure.Signing.InstitutionKeys"/>), <c>staff-api.key</c> (the staff API's bearer key) and
    /// <c>audit-signing.key</c> (the operation log's checkpoint key, public key beside it).
    /// </summary>
    public string KeyDirectory { get; set; } = "";

    /// <summary>Its own intermediate server (中間サーバー), where the copies and tokens go.</summary>
    public Uri? IntermediateAddress { get; set; }

    /// <summary>J-LIS, for token acquisition (符号取得); none: the holder acquires no tokens.</summary>
    public Uri? JlisAddress { get; set; }

    /// <summary>The insurer's type in its copies (insurers only).</summary>
    public InsurerType InsurerType { get; set; } = InsurerType.HealthInsuranceSociety;

    /// <summary>The operation log: how often its head is signed while entries arrive (<see cref="AuditLogOptions.CheckpointPeriod"/>, 10 ms – 5 minutes).</summary>
    public TimeSpan AuditCheckpointPeriod { get; set; } = AuditLogOptions.Default.CheckpointPeriod;

    /// <summary>The directory of the holder's network keys (<see cref="Infrastructure.Signing.InstitutionKeys"/>).</summary>
    public string InstitutionKeyDirectory => Path.Combine(KeyDirectory, "institution");

    internal AuditLogOptions AuditLog => AuditLogOptions.Default with { CheckpointPeriod = AuditCheckpointPeriod };
}

/// <summary>Checks <see cref="HolderOptions"/> at start; each failure names the setting and never repeats its value.</summary>
/// <param name="databaseRegistered">The composer registered a <see cref="Infrastructure.Database"/>, so <c>Holder:Database</c> may be absent.</param>
internal sealed class HolderOptionsValidator(bool databaseRegistered) : IValidateOptions<HolderOptions>
{
    private static readonly TimeSpan ShortestCheckpointPeriod = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestCheckpointPeriod = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, HolderOptions options)
    {
        const string s = HolderOptions.Section;
        var failures = new List<string>();
        if (options.Kind is not { } kind || !Enum.IsDefined(kind))
            failures.Add($"{s}:Kind is required: {nameof(HolderKind.PensionOrganisation)} or {nameof(HolderKind.HealthInsurer)}");
        else Pia.HolderPia.Files(kind).Check(failures);
        if (!HolderInstitutions.IsInstitutionCode(options.InstitutionCode))
            failures.Add($"{s}:InstitutionCode must be 6–8 of 0-9 and A-Z");
        else if (options.Kind == HolderKind.HealthInsurer && !HolderInstitutions.IsInsurerNumber(options.InstitutionCode))
            failures.Add($"{s}:InstitutionCode of a health insurer must be its 8-digit insurer number (保険者番号)");
        if (string.IsNullOrWhiteSpace(options.Name)) failures.Add($"{s}:Name is required");
        if (string.IsNullOrWhiteSpace(options.KeyDirectory)) failures.Add($"{s}:KeyDirectory is required");
        if (options.Database is null && !databaseRegistered)
            failures.Add($"{s}:Database is required: sqlite:<path> or postgres:<connection string>");
        else if (options.Database is not null && !Infrastructure.Database.IsSetting(options.Database))
            failures.Add($"{s}:Database must be sqlite:<path> or postgres:<connection string>");
        if (options.IntermediateAddress is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
            failures.Add($"{s}:IntermediateAddress is required: an absolute http or https address");
        if (options.JlisAddress is not (null or { IsAbsoluteUri: true, Scheme: "http" or "https" }))
            failures.Add($"{s}:JlisAddress must be an absolute http or https address");
        if (!Enum.IsDefined(options.InsurerType)) failures.Add($"{s}:InsurerType is not a known insurer type");
        if (options.AuditCheckpointPeriod < ShortestCheckpointPeriod || options.AuditCheckpointPeriod > LongestCheckpointPeriod)
            failures.Add($"{s}:AuditCheckpointPeriod must be between 00:00:00.010 and 00:05:00");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
