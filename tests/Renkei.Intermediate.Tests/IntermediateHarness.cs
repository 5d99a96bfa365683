using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Storage;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Tests;

/// <summary>An intermediate server for 品川区 on Kestrel over a throw-away database, and a client talking to it over HTTP.</summary>
public sealed class IntermediateHarness : IAsyncDisposable
{
    public const string Holder = "131091";
    public const string HolderName = "品川区";

    private readonly TestDatabase _database;
    private readonly InstitutionKeys _keys;

    private IntermediateHarness(TestDatabase database, TempDirectory keyDirectory, ServiceHost host)
    {
        _database = database;
        KeyDirectory = keyDirectory;
        Host = host;
        // The holder's own systems: every request signed with the holder's institution key, for its own server.
        _keys = InstitutionKeys.LoadOrCreate(keyDirectory.Path);
        Http = SigningHandler.CreateClient(host.BaseAddress, Holder, _keys.Signing, Holder, timeout: TimeSpan.FromMinutes(5));
        Client = new IntermediateHttpClient(Http);
        Store = new IntermediateStore(database.Database);
    }

    /// <summary>The holder's institution key directory (the server knows the holder's public signing key from it).</summary>
    public TempDirectory KeyDirectory { get; }

    /// <summary>The holder's institution signing key.</summary>
    public System.Security.Cryptography.ECDsa SigningKey => _keys.Signing;

    public ServiceHost Host { get; }
    public HttpClient Http { get; }
    public IntermediateHttpClient Client { get; }
    public IntermediateStore Store { get; }
    public Database Database => _database.Database;

    public static async Task<IntermediateHarness> StartAsync(string provider)
    {
        var database = TestDatabase.Create(provider);
        var keys = new TempDirectory();
        try
        {
            var host = await TestModules.StartIntermediateAsync(database.Database, Options(keys.Path));
            return new IntermediateHarness(database, keys, host);
        }
        catch
        {
            keys.Dispose();
            database.Dispose();
            throw;
        }
    }

    /// <summary>The options of a copies-only server for 品川区 (its institution keys in <paramref name="keyDirectory"/>; a deployment's own kinds file).</summary>
    public static IntermediateOptions Options(string keyDirectory, string? kindsFile = null) =>
        new() { HolderCode = Holder, HolderName = HolderName, InstitutionKeyDirectory = keyDirectory, KindsFile = kindsFile };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        _keys.Dispose();
        KeyDirectory.Dispose();
        _database.Dispose();
    }

    /// <summary>Posts raw NDJSON to the streaming route as the holder (signed over the headers, the body streamed).</summary>
    public Task<HttpResponseMessage> PostStreamAsync(string route, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = content };
        request.Options.Set(SigningHandler.StreamedBodyOption, true);
        return Http.SendAsync(request);
    }

    /// <summary>A plausible local-tax copy for addressee <paramref name="addressee"/>.</summary>
    public static CopyUpdate LocalTax(long addressee, long version = 1, long taxableIncome = 3_000_000, int fiscalYear = 2026) =>
        new(addressee, InformationKindCodes.LocalTax, new DateOnly(fiscalYear, 6, 1), version, CopyBodies.ToJson(new LocalTaxBody(
            fiscalYear, Taxable: true, TotalIncome: taxableIncome + 1_000_000, TotalDeductions: 1_000_000, TaxableIncome: taxableIncome,
            IncomeBasedTaxAmount: taxableIncome / 10, PerCapitaLevy: 5_000, DependantsCount: (int)(addressee % 4))));

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
