using Microsoft.Extensions.Options;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;

namespace Renkei.Network;

/// <summary>
/// The network's settings (configuration section <see cref="Section"/>, e.g. <c>Network:BatchParallelism</c>). What is
/// not configuration comes from DI: the clock (<see cref="TimeProvider"/>), the legal policy, a message tap and the
/// handler under the requests to nodes (<see cref="NetworkOutgoingHandler"/>).
/// </summary>
public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>The network's own database: <c>sqlite:&lt;path&gt;</c> or <c>postgres:&lt;connection string&gt;</c>; not needed when the composer registered a <see cref="Infrastructure.Database"/>.</summary>
    public string? Database { get; set; }

    /// <summary>The network's keys: <c>token-master.key</c> (32 random bytes: every ID code and token
    /// derives from it; back it up with the database), <c>signing.key</c> and <c>sealing.key</c> (<see cref="InstitutionKeys"/>).
    /// Created on first start.</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>Registered (or updated) in the registry at start; more can be added later with <see cref="Registry.InstitutionRegistry.Upsert"/>.</summary>
    public List<InstitutionSetting> Institutions { get; set; } = [];

    /// <summary>How long an immediate query waits for the provider (also the connect timeout). Default 5 s.</summary>
    public TimeSpan ProviderTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a token delivery to an institution's node may take (a batch of 50,000 is a few MB). Default 60 s.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the provider may take to answer one chunk of a batch query (<see cref="BatchChunkSize"/> items in one bulk request). Default 30 s.</summary>
    public TimeSpan BulkProviderTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Batch items of one chunk checked at once (and asked one by one of a provider without the bulk route). Default 8.</summary>
    public int BatchParallelism { get; set; } = 8;

    /// <summary>Items of a batch query claimed and forwarded to the provider together, in one bulk request: 1 to <see cref="BulkProvideRequest.MaxItems"/>. Default 256.</summary>
    public int BatchChunkSize { get; set; } = 256;

    /// <summary>
    /// Chunks of batch queries this instance works at once (over all batches): while one is checked, another is at the
    /// provider and another is being recorded. 1 to 64. Default 4.
    /// </summary>
    public int BatchChunksInFlight { get; set; } = 4;

    /// <summary>First wait before a batch retries an unavailable provider; doubles per failure up to <see cref="BatchRetryMax"/>. Default 1 s.</summary>
    public TimeSpan BatchRetryInitial { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan BatchRetryMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long an instance's claim on the batch items it works lasts (renewed while it works them). Instances on one
    /// database skip each other's claimed items; a stopped or dead instance's items are taken over when its claim lapses,
    /// and an idle instance looks for batches another instance accepted at least this often. Default 30 s.
    /// </summary>
    public TimeSpan BatchClaimLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The provision records' Merkle tree head (records/tree-head) is signed anew at most this often when the log has
    /// grown; a proof of a record the head does not cover yet signs a new one at once. Default 5 s.
    /// </summary>
    public TimeSpan TreeHeadInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The provision records' log: how often its head is signed while records arrive (<see cref="AuditLogOptions.CheckpointPeriod"/>). Default <see cref="AuditLogOptions.Default"/>.</summary>
    public AuditLogSetting AuditLog { get; set; } = new();
}

/// <summary>An institution registered at the network at start (<see cref="InstitutionInfo"/> as a setting).</summary>
public sealed class InstitutionSetting
{
    public string? Code { get; set; }
    public string? Name { get; set; }
    public InstitutionClass Class { get; set; }

    /// <summary>The institution's node; none for one that provides nothing (the portal).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>SubjectPublicKeyInfo DER, base64.</summary>
    public string? SigningPublicKey { get; set; }

    public string? SealingPublicKey { get; set; }

    public InstitutionInfo ToInfo() => new(Code ?? "", Name ?? "", Class, Endpoint, SigningPublicKey ?? "", SealingPublicKey ?? "");

    public static InstitutionSetting From(InstitutionInfo info) => new()
    {
        Code = info.Code, Name = info.Name, Class = info.Class, Endpoint = info.Endpoint, SigningPublicKey = info.SigningPublicKey, SealingPublicKey = info.SealingPublicKey,
    };
}

/// <summary>Makes the handler under the network's requests to nodes (mutual TLS plugs in here); default a <see cref="SocketsHttpHandler"/>.</summary>
public sealed record NetworkOutgoingHandler(Func<HttpMessageHandler> Create);

/// <summary>Checks <see cref="NetworkOptions"/> at start; each failure names the setting, never its value.</summary>
internal sealed class NetworkOptionsValidator(bool databaseRegistered) : IValidateOptions<NetworkOptions>
{
    private const int MaxBatchChunksInFlight = 64;

    public ValidateOptionsResult Validate(string? name, NetworkOptions options)
    {
        var failures = new List<string>();
        const string s = NetworkOptions.Section + ":";
        if (!databaseRegistered && !Infrastructure.Database.IsSetting(options.Database))
            failures.Add(s + "Database must be sqlite:<path> or postgres:<connection string>");
        if (string.IsNullOrWhiteSpace(options.KeyDirectory)) failures.Add(s + "KeyDirectory is required");
        if (options.ProviderTimeout <= TimeSpan.Zero) failures.Add(s + "ProviderTimeout must be positive");
        if (options.DeliveryTimeout <= TimeSpan.Zero) failures.Add(s + "DeliveryTimeout must be positive");
        if (options.BulkProviderTimeout <= TimeSpan.Zero) failures.Add(s + "BulkProviderTimeout must be positive");
        if (options.BatchParallelism < 1) failures.Add(s + "BatchParallelism must be at least 1");
        if (options.BatchChunkSize is < 1 or > BulkProvideRequest.MaxItems)
            failures.Add($"{s}BatchChunkSize must be between 1 and {BulkProvideRequest.MaxItems}");
        if (options.BatchChunksInFlight is < 1 or > MaxBatchChunksInFlight) failures.Add($"{s}BatchChunksInFlight must be between 1 and {MaxBatchChunksInFlight}");
        if (options.BatchRetryInitial <= TimeSpan.Zero) failures.Add(s + "BatchRetryInitial must be positive");
        if (options.BatchRetryMax < options.BatchRetryInitial) failures.Add(s + "BatchRetryMax must be at least BatchRetryInitial");
        if (options.BatchClaimLease < TimeSpan.FromSeconds(1)) failures.Add(s + "BatchClaimLease must be at least 1 second");
        if (options.TreeHeadInterval < TimeSpan.Zero) failures.Add(s + "TreeHeadInterval must not be negative");
        for (var i = 0; i < options.Institutions.Count; i++)
            if (string.IsNullOrWhiteSpace(options.Institutions[i].Code)) failures.Add($"{s}Institutions:{i}:Code is required");
        Pia.NetworkPia.Files.Check(failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
