using System.Collections.Concurrent;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Tokens;
using Renkei.Network;
using Renkei.Network.Tokens;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Municipality.Tests.Tokens;

/// <summary>
/// The whole token path on loopback HTTP, a preset of the <see cref="TestCountry"/>, each institution with its own database:
/// the network (real service), J-LIS with its token routes, Shinagawa's intermediate server as its node, and Shinagawa's
/// register (imported, numbered by J-LIS, every person given an addressee number); J-LIS also knows 大田区. Everything the
/// network receives is kept to be scanned for numbers.
/// </summary>
public sealed class TokenCountry : IAsyncDisposable, IMessageTap
{
    private TestCountry _country = null!;

    private TokenCountry() { }

    public ServiceHost Jlis => _country.Jlis;
    public ServiceHost Intermediate => _country.Ward(TestData.Shinagawa).Intermediate!;
    public JlisHttpClient Numbering { get; private set; } = null!;

    /// <summary>J-LIS as 大田区 asks it (registered in J-LIS's own registry): people numbered there move in.</summary>
    public JlisHttpClient OtaNumbering { get; private set; } = null!;
    public ResidentRegister Register { get; private set; } = null!;
    public OperationLog Log { get; private set; } = null!;
    public AddresseeSystem Addressees { get; private set; } = null!;
    public Database IntermediateDatabase => _country.Ward(TestData.Shinagawa).IntermediateDatabase!;
    public string WardKeyDirectory => _country.Layout.MunicipalityInstitutionKeyDirectory(TestData.Shinagawa);
    public WardTokenOptions WardTokens => new(Jlis.BaseAddress, Intermediate.BaseAddress, WardKeyDirectory);

    /// <summary>Every body the network received (requests and nodes' answers).</summary>
    public ConcurrentQueue<string> NetworkReceived { get; } = new();

    void IMessageTap.Received(string route, string? institution, ReadOnlySpan<byte> body) => NetworkReceived.Enqueue(Encoding.UTF8.GetString(body));

    public static async Task<TokenCountry> StartAsync(string provider, int residents)
    {
        var country = new TokenCountry();
        country._country = await TestCountry.StartAsync(provider, c => c.AddNetwork(network => network.With<IMessageTap>(country)).AddJlis()
            .AddWard(TestData.Shinagawa, "品川区", ward => ward.Api.Enabled = false)
            .AddWard(TestData.Ota, "大田区", ward => (ward.Api.Enabled, ward.Intermediate.Enabled) = (false, false)));
        try
        {
            // The ward numbers its residents signing as itself (J-LIS knows every ward of the country).
            country.Numbering = new JlisHttpClient(country._country.JlisClientFor(TestData.Shinagawa));
            country.OtaNumbering = new JlisHttpClient(country._country.JlisClientFor(TestData.Ota));
            var ward = country._country.Ward(TestData.Shinagawa);
            country.Register = ward.Register;
            new RegisterImporter(country.Register).Import(TestData.Records(residents));
            var numbered = await new NumberAssignmentJob(country.Register, country.Numbering).RunAsync();
            Assert.Equal(residents, numbered.Assigned);
            country.Log = country._country.Own(OperationLog.Open(ward.Database, TestData.Shinagawa, country._country.Layout.MunicipalityAuditKeyFile(TestData.Shinagawa)));
            country.Addressees = new AddresseeSystem(country.Register, country.Log);
            country.Addressees.SyncFromRegister();
            return country;
        }
        catch
        {
            await country.DisposeAsync();
            throw;
        }
    }

    /// <summary>The ward's clients (J-LIS signed as the ward, its intermediate server), disposed with the country.</summary>
    public WardTokenClients WardClients(WardTokenOptions? options = null) => Own(new WardTokenClients(TestData.Shinagawa, options ?? WardTokens));

    /// <summary>Addressee number → resident-record code of every register person.</summary>
    public Dictionary<long, ResidentCode> AddresseeCodes()
    {
        using var connection = Register.Database.Open();
        using var command = connection.Command("SELECT a.addressee_number, r.resident_code FROM addressee_persons a JOIN residents r ON r.id = a.resident_id");
        using var reader = command.ExecuteReader();
        var codes = new Dictionary<long, ResidentCode>();
        while (reader.Read()) codes[reader.GetInt64(0)] = ResidentCode.FromInt64(reader.GetInt64(1));
        return codes;
    }

    /// <summary>Addressee number → token, as the intermediate server bound them (read from its database: it never hands tokens out).</summary>
    public Dictionary<long, Token> BoundTokens()
    {
        using var connection = IntermediateDatabase.Open();
        using var command = connection.Command("SELECT addressee_number, token FROM intermediate_tokens WHERE holder_code = @h")
            .With("@h", TestData.Shinagawa.Digits);
        using var reader = command.ExecuteReader();
        var tokens = new Dictionary<long, Token>();
        while (reader.Read()) tokens.Add(reader.GetInt64(0), Token.FromInt64(reader.GetInt64(1)));
        return tokens;
    }

    /// <summary>The batch ids the ward registered at its intermediate server.</summary>
    public HashSet<string> RegisteredBatches()
    {
        using var connection = IntermediateDatabase.Open();
        using var command = connection.Command("SELECT DISTINCT request_id FROM intermediate_token_requests WHERE is_batch = 1");
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>();
        while (reader.Read()) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>The token the network derives for the ward for a resident-record code (with the network's own master key).</summary>
    public Token ExpectedToken(ResidentCode code)
    {
        var key = SecretKeyFile.LoadOrCreate(Path.Combine(_country.Layout.NetworkKeyDirectory, NetworkService.MasterKeyFileName), TokenDeriver.MasterKeyLength);
        using var deriver = new TokenDeriver(key);
        return deriver.TokenFor(deriver.DeriveIdCode(code), TestData.Shinagawa.Digits);
    }

    /// <summary>Every addressee holds exactly the token the network derives for their own code, and no token is bound twice.</summary>
    public void AssertEveryoneHoldsTheirOwnToken(int expected)
    {
        var bound = BoundTokens();
        var codes = AddresseeCodes();
        Assert.Equal(expected, bound.Count);
        Assert.Equal(bound.Count, bound.Values.Distinct().Count());
        foreach (var (addressee, token) in bound) Assert.Equal(ExpectedToken(codes[addressee]), token);
    }

    /// <summary>No current number of any register person appears in anything the network received.</summary>
    public void AssertNetworkSawNoNumber()
    {
        using var connection = Register.Database.Open();
        using var command = connection.Command("SELECT individual_number FROM resident_numbers");
        using var reader = command.ExecuteReader();
        var numbers = new List<string>();
        while (reader.Read()) numbers.Add(IndividualNumber.FromInt64(reader.GetInt64(0)).Digits);
        Assert.NotEmpty(NetworkReceived);
        foreach (var body in NetworkReceived)
            foreach (var number in numbers)
                Assert.DoesNotContain(number, body);
    }

    public T Own<T>(T disposable) where T : class, IDisposable => _country.Own(disposable);

    public ValueTask DisposeAsync() => _country.DisposeAsync();
}
