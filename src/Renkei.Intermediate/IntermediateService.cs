using Microsoft.Extensions.DependencyInjection;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Tls;
using Renkei.Intermediate.Copies;
using Renkei.Intermediate.Http;
using Renkei.Intermediate.Kinds;
using Renkei.Intermediate.Storage;

namespace Renkei.Intermediate;

/// <param name="Database">The intermediate server's own database (never the business systems' or the register's).</param>
/// <param name="HolderCode">The information holder it serves (a local government code such as 131091, or another institution's code).</param>
/// <param name="HolderName">The holder's name, e.g. 品川区.</param>
/// <param name="Port">0 picks a free port.</param>
public sealed record IntermediateServiceOptions(Database Database, string HolderCode, string HolderName, int Port = 0, string Address = "127.0.0.1")
{
    /// <summary>A deployment's own information-kind file; null uses the shipped policy/intermediate/information-kinds.json.</summary>
    public string? KindsFile { get; init; }

    /// <summary>Mutual TLS on the network CA's certificates (deployments); null: plain HTTP. The caller disposes it.</summary>
    public MutualTls? Tls { get; init; }
}

/// <summary>Runs one information holder's intermediate server (中間サーバー) over HTTP.</summary>
public static class IntermediateService
{
    /// <summary>
    /// Loads and checks the information kinds (a broken schema file fails here, naming the file), creates the schema
    /// and starts the service.
    /// </summary>
    public static Task<ServiceHost> StartAsync(IntermediateServiceOptions options, CancellationToken ct = default)
    {
        var service = CreateCopies(options);
        return ServiceHost.StartAsync("intermediate-" + options.HolderCode,
            services => services.AddSingleton(service),
            app => IntermediateEndpoints.Map(app, service),
            new ServiceHostOptions(options.Port, options.Address) { MutualTls = options.Tls }, ct);
    }

    /// <summary>The service without HTTP (for batch jobs and tests in the same process as its database).</summary>
    public static CopyService CreateCopies(IntermediateServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Database);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.HolderCode);
        var kinds = options.KindsFile is null ? InformationKindCatalogue.LoadDefault() : InformationKindCatalogue.Load(options.KindsFile);
        var store = new IntermediateStore(options.Database);
        store.EnsureSchema();
        return new CopyService(store, kinds, options.HolderCode, options.HolderName);
    }
}
