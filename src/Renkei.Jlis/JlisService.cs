using System.Globalization;
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
    /// <summary>Starts J-LIS from <paramref name="options"/>: its settings as configuration (<see cref="JlisOptions"/>), its instances in DI.</summary>
    public static Task<ServiceHost> StartAsync(JlisServiceOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new Dictionary<string, string?> { ["Jlis:KeyFilePath"] = options.KeyFilePath };
        if (options.Tokens is { } tokens)
        {
            settings["Jlis:Tokens:NetworkAddress"] = tokens.NetworkAddress.OriginalString;
            settings["Jlis:Tokens:KeyDirectory"] = tokens.KeyDirectory;
            settings["Jlis:Tokens:InstitutionCode"] = tokens.InstitutionCode;
            settings["Jlis:Tokens:InstitutionCacheTime"] = tokens.InstitutionCacheTime.ToString("c", CultureInfo.InvariantCulture);
            settings["Jlis:Tokens:NetworkTimeout"] = tokens.NetworkTimeout.ToString("c", CultureInfo.InvariantCulture);
        }
        if (options.Pki is { } pki)
        {
            settings["Jlis:Pki:KeyDirectory"] = pki.KeyDirectory;
            settings["Jlis:Pki:Passphrase"] = pki.Passphrase;
            settings["Jlis:Pki:DistributionBaseAddress"] = pki.DistributionBaseAddress.OriginalString;
            settings["Jlis:Pki:KeyFileIterations"] = pki.KeyFileIterations.ToString(CultureInfo.InvariantCulture);
            settings["Jlis:Pki:CrlValidity"] = pki.CrlValidity.ToString("c", CultureInfo.InvariantCulture);
        }
        for (var i = 0; i < options.Institutions.Count; i++)
        {
            var institution = options.Institutions[i];
            settings[$"Jlis:Institutions:{i}:Code"] = institution.Code;
            settings[$"Jlis:Institutions:{i}:Name"] = institution.Name;
            settings[$"Jlis:Institutions:{i}:Role"] = institution.Role;
            settings[$"Jlis:Institutions:{i}:SigningPublicKey"] = institution.SigningPublicKey;
        }
        return ServiceHost.StartAsync("jlis",
            builder =>
            {
                var services = builder.Services;
                services.AddSingleton(options.Database);
                if (options.Tokens is not null) services.AddSingleton(options.Tokens.Clock);
                if (options.Tls is not null) services.AddSingleton(options.Tls);
                if (options.Tokens?.OutgoingHandler is { } outgoing) services.AddSingleton(new JlisOutgoingHandler(outgoing));
                builder.AddJlis();
            },
            app => app.MapJlisApi(),
            new ServiceHostOptions(options.Port, options.Address) { MutualTls = options.Tls, ApiReference = options.ApiReference, Settings = settings }, ct);
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
