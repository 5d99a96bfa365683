using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Tls;
using Renkei.Jlis.Cards;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Http;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Pki;
using Renkei.Jlis.Portal;
using Renkei.Jlis.Tokens;
using Renkei.Jlis.Numbering;
using Renkei.Jlis.Storage;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis;

/// <param name="Database">J-LIS's own database.</param>
/// <param name="KeyFilePath">The numbering key file (32 bytes, created with random bytes on first run). Back it up with the database.</param>
/// <param name="Port">0 picks a free port.</param>
public sealed record JlisServiceOptions(Database Database, string KeyFilePath, int Port = 0, string Address = "127.0.0.1")
{
    /// <summary>Token issuance through the network (符号取得); null: J-LIS serves no token routes.</summary>
    public JlisTokenOptions? Tokens { get; init; }

    /// <summary>The JPKI certificate authorities (公的個人認証) and the card service; null: J-LIS serves no card or certificate routes.</summary>
    public JpkiOptions? Pki { get; init; }

    /// <summary>
    /// Institutions to register in J-LIS's own registry (<see cref="JlisInstitutions"/>) before it starts (the deployment's
    /// and the demo's wards, portal, verifiers and call centre); others may be registered at any time.
    /// </summary>
    public IReadOnlyList<JlisInstitution> Institutions { get; init; } = [];

    /// <summary>Mutual TLS on the network CA's certificates (deployments); null: plain HTTP. The caller disposes it.</summary>
    public MutualTls? Tls { get; init; }

    /// <summary>Serves the browsable API reference page (<see cref="ServiceHostOptions.ApiReference"/>): the demo.</summary>
    public bool ApiReference { get; init; }
}

/// <summary>Runs J-LIS's numbering service (地方公共団体情報システム機構) over HTTP.</summary>
public static class JlisService
{
    public static async Task<ServiceHost> StartAsync(JlisServiceOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var service = CreateNumbering(options.Database, options.KeyFilePath);
        try
        {
            return await ServiceHost.StartAsync("jlis",
                builder => builder.Services.AddSingleton(_ => service),
                app =>
                {
                    var numbering = app.Services.GetRequiredService<NumberingService>();
                    JlisEndpoints.Map(app, numbering);
                    if (options.Tokens is not null) TokenEndpoints.Map(app, options, numbering);
                    if (options.Pki is not null)
                    {
                        JpkiEndpoints.Map(app, options, numbering);
                        CardEndpoints.Map(app, options, numbering);
                    }
                    if (options.Tokens is not null && options.Pki is not null) PortalEndpoints.Map(app, options);
                    var callers = JlisInstitutions.Use(app, options.Database, options.Tokens is null ? null : TokenEndpoints.Link(app).Callers,
                        options.Tokens?.InstitutionCode ?? JlisTokenRoutes.JlisInstitutionCode, options.Tokens?.Clock);
                    foreach (var institution in options.Institutions) callers.Register(institution);
                },
                new ServiceHostOptions(options.Port, options.Address) { MutualTls = options.Tls, ApiReference = options.ApiReference }, ct);
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The numbering service without HTTP (for batch jobs and benchmarks in the same process as J-LIS's database):
    /// creates the schema, loads or creates the key, and checks that the key is the one this database was numbered
    /// with. Dispose it when done.
    /// </summary>
    public static NumberingService CreateNumbering(Database database, string keyFilePath)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyFilePath);
        var store = new JlisStore(database);
        store.EnsureSchema();
        var key = SecretKeyFile.LoadOrCreate(keyFilePath, NumberDeriver.KeyLength);
        try
        {
            var check = Convert.ToHexString(HMACSHA256.HashData(key, "renkei/jlis/numbering-key-check/v1"u8));
            if (!store.KeyMatches(check))
                throw new InvalidOperationException(
                    "the numbering key file is not the one this J-LIS database was numbered with; restore the right key file");
            return new NumberingService(store, new NumberDeriver(key));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
