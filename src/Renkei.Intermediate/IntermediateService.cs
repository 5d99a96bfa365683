using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Infrastructure.Tls;
using Renkei.Intermediate.Copies;
using Renkei.Intermediate.Http;
using Renkei.Intermediate.Kinds;
using Renkei.Intermediate.Node;
using Renkei.Intermediate.Storage;
using Renkei.Intermediate.Tokens;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate;

/// <param name="Database">The intermediate server's own database (never the business systems' or the register's).</param>
/// <param name="HolderCode">The information holder it serves (a local government code such as 131091, or another institution's code).</param>
/// <param name="HolderName">The holder's name, e.g. 品川区.</param>
/// <param name="Port">0 picks a free port.</param>
public sealed record IntermediateServiceOptions(Database Database, string HolderCode, string HolderName, int Port = 0, string Address = "127.0.0.1")
{
    /// <summary>A deployment's own information-kind file; null uses the shipped policy/intermediate/information-kinds.json.</summary>
    public string? KindsFile { get; init; }

    /// <summary>
    /// The institution's keys on the network (<c>signing.key</c>, <c>sealing.key</c>; created on first use). Required to
    /// serve over HTTP: the holder's own systems are the holder itself, identified by its certificate (deployed) or by a
    /// request signature with this signing key (demo), and nothing else may call the holder's routes. With
    /// <see cref="NetworkAddress"/> and <see cref="NetworkSigningPublicKey"/> it makes the server its institution's node:
    /// token delivery, provision to the network, queries and the holder's provision records. Without those two the
    /// server keeps and provides copies only (and registers token requests).
    /// </summary>
    public string? InstitutionKeyDirectory { get; init; }

    /// <summary>The network's base address (情報提供ネットワークシステム).</summary>
    public Uri? NetworkAddress { get; init; }

    /// <summary>The network's signing public key (SubjectPublicKeyInfo DER, base64), pinned: it verifies the network's requests to the node.</summary>
    public string? NetworkSigningPublicKey { get; init; }

    /// <summary>Builds the handler under the signed client that calls the network (mutual TLS plugs in here); default: from <see cref="Tls"/>, else plain sockets.</summary>
    public Func<HttpMessageHandler>? OutgoingHandler { get; init; }

    /// <summary>Mutual TLS on the network CA's certificates (deployments); null: plain HTTP. The caller disposes it.</summary>
    public MutualTls? Tls { get; init; }

    /// <summary>Serves the browsable API reference page (<see cref="ServiceHostOptions.ApiReference"/>): the demo.</summary>
    public bool ApiReference { get; init; }

    /// <summary>How long a call to the network may take (an immediate query includes the provider's answer).</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The party records' log (a network node's provision records): how often its head is signed while records arrive (<see cref="AuditLogOptions.CheckpointPeriod"/>). Default <see cref="AuditLogOptions.Default"/>.</summary>
    public AuditLogOptions AuditLog { get; init; } = AuditLogOptions.Default;

    /// <summary>True when a network setting is given (starting then requires both, and says which is missing).</summary>
    public bool IsNetworkNode => NetworkAddress is not null || NetworkSigningPublicKey is not null;
}

/// <summary>Runs one information holder's intermediate server (中間サーバー) over HTTP.</summary>
public static class IntermediateService
{
    /// <summary>
    /// Loads and checks the information kinds (a broken schema file fails here, naming the file), creates the schema
    /// and starts the service; as a network node also loads the institution's keys and creates the node's tables.
    /// <paramref name="options"/> become settings (<see cref="IntermediateOptions"/>) and DI registrations.
    /// </summary>
    public static Task<ServiceHost> StartAsync(IntermediateServiceOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new Dictionary<string, string?>
        {
            ["Intermediate:HolderCode"] = options.HolderCode,
            ["Intermediate:HolderName"] = options.HolderName,
            ["Intermediate:KindsFile"] = options.KindsFile,
            ["Intermediate:InstitutionKeyDirectory"] = options.InstitutionKeyDirectory,
            ["Intermediate:NetworkAddress"] = options.NetworkAddress?.OriginalString,
            ["Intermediate:NetworkSigningPublicKey"] = options.NetworkSigningPublicKey,
            ["Intermediate:NetworkTimeout"] = options.NetworkTimeout.ToString("c", CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in AuditLogSetting.Settings("Intermediate:AuditLog", options.AuditLog)) settings[key] = value;
        return ServiceHost.StartAsync("intermediate-" + options.HolderCode,
            builder =>
            {
                var services = builder.Services;
                services.AddSingleton(options.Database);
                services.AddSingleton(options.Clock);
                if (options.Tls is not null) services.AddSingleton(options.Tls);
                if (options.OutgoingHandler is not null) services.AddSingleton(new IntermediateOutgoingHandler(options.OutgoingHandler));
                builder.AddIntermediate();
            },
            app => app.MapIntermediateApi(),
            new ServiceHostOptions(options.Port, options.Address) { MutualTls = options.Tls, ApiReference = options.ApiReference, Settings = settings }, ct);
    }

    /// <summary>The service without HTTP (for batch jobs and tests in the same process as its database).</summary>
    public static CopyService CreateCopies(IntermediateServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Database);
        return CreateCopies(options.Database, new IntermediateOptions { HolderCode = options.HolderCode, HolderName = options.HolderName, KindsFile = options.KindsFile },
            options.Clock);
    }

    internal static CopyService CreateCopies(Database database, IntermediateOptions options, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.HolderCode);
        var kinds = options.KindsFile is null ? InformationKindCatalogue.LoadDefault() : InformationKindCatalogue.Load(options.KindsFile);
        var store = new IntermediateStore(database);
        store.EnsureSchema();
        return new CopyService(store, kinds, options.HolderCode, options.HolderName ?? "", clock);
    }
}
