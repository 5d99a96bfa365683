using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Tls;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Numbering;
using Renkei.TestSupport;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// Issue 12's finding over mutual TLS: any node certificate of the network's CA acted for any ward at J-LIS. Now the
/// certificate names the ward (its CN), J-LIS must have it registered, and a ward acts only for its own municipality code
/// and residents: 大田区's certificate gets nothing of 品川区's.
/// </summary>
public sealed class JlisOverMutualTlsTests : IDisposable
{
    private static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");
    private static readonly LocalGovernmentCode Ota = LocalGovernmentCode.ParseOrThrow("131113");

    private readonly NodeCertificateAuthority _authority = NodeCertificateAuthority.Create();
    private readonly TempDirectory _directory = new();

    public void Dispose()
    {
        _authority.Dispose();
        _directory.Dispose();
    }

    private MutualTls Node(string code)
    {
        using var issued = _authority.Issue(code, ["localhost", "127.0.0.1"]);
        return new MutualTls(X509CertificateLoader.LoadPkcs12(issued.Export(X509ContentType.Pkcs12), null),
            X509CertificateLoader.LoadCertificate(_authority.Certificate.RawData));
    }

    private static HttpClient Client(MutualTls tls, Uri jlis) => new(tls.CreateHandler()) { BaseAddress = jlis, Timeout = TimeSpan.FromSeconds(60) };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Another_wards_node_certificate_acts_only_for_that_ward(string provider)
    {
        using var database = TestDatabase.Create(provider);
        foreach (var ward in new[] { Shinagawa, Ota })
            JlisCallers.Register(database.Database, ward.Digits, JlisRoles.Municipality, _directory.File("keys-" + ward.Digits));
        // J-LIS as 'renkei serve --role jlis' runs it from its file, on its node certificate.
        await using var role = await CountryRoles.StartAsync(CountryRole.Jlis, NodeFiles.Settings(
            new Dictionary<string, string?> { ["Jlis:Database"] = database.Setting, ["Jlis:KeyFilePath"] = _directory.File("numbering.key") },
            NodeFiles.ServeTls(_authority, JlisTokenRoutes.JlisInstitutionCode, _directory.File("pki"))));
        var jlis = role.Services.Single();

        using var shinagawaTls = Node(Shinagawa.Digits);
        using var shinagawa = Client(shinagawaTls, jlis.BaseAddress);
        var code = ResidentCode.FromBody(4_712_000_001);
        var number = (await new JlisHttpClient(shinagawa).DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code))).IndividualNumber;

        using var otaTls = Node(Ota.Digits);
        using var ota = Client(otaTls, jlis.BaseAddress);
        async Task RefusedAsync(HttpClient client, string route, object body, HttpStatusCode status, string expected)
        {
            using var response = await client.PostAsJsonAsync(route, body, JsonDefaults.Options);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(expected, System.Text.Json.JsonSerializer.Deserialize<ProblemBody>(text, JsonDefaults.Options)!.Code);
            Assert.DoesNotContain(number.Digits, text);
        }
        await RefusedAsync(ota, JlisRoutes.DeriveNumber, new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code), HttpStatusCode.Forbidden, "caller-not-permitted");
        await RefusedAsync(ota, JlisRoutes.DeriveNumber, new DeriveNumberRequest(Guid.NewGuid(), Ota, code), HttpStatusCode.Forbidden,
            NumberingService.OtherMunicipalityCode);
        await RefusedAsync(ota, JlisRoutes.ChangeNumber, new ChangeNumberRequest(Guid.NewGuid(), Shinagawa, code, NumberChangeReason.HolderRequest),
            HttpStatusCode.Forbidden, "caller-not-permitted");
        await RefusedAsync(ota, JlisRoutes.VerifyNumber, new VerifyNumberRequest(code, IndividualNumber.FromBody(12_345_678_901)), HttpStatusCode.Forbidden,
            NumberingService.OtherMunicipalityCode);

        // 大田区's certificate with a header claiming 品川区: the certificate and the claim disagree.
        using (var impostor = new HttpRequestMessage(HttpMethod.Post, JlisRoutes.DeriveNumber)
        {
            Content = JsonContent.Create(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code), options: JsonDefaults.Options),
        })
        {
            impostor.Headers.Add(SignatureHeaders.Institution, Shinagawa.Digits);
            using var response = await ota.SendAsync(impostor);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(CallerCertificate.MismatchCode, (await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!.Code);
        }

        // A node certificate of the network's CA for an institution J-LIS does not know gets nothing.
        using var strangerTls = Node("131199");
        using var stranger = Client(strangerTls, jlis.BaseAddress);
        await RefusedAsync(stranger, JlisRoutes.DeriveNumber, new DeriveNumberRequest(Guid.NewGuid(), LocalGovernmentCode.ParseOrThrow("131199"), code),
            HttpStatusCode.Unauthorized, "unknown-institution");

        Assert.Equal(number, new Jlis.Storage.JlisStore(database.Database).FindCurrent(code)!.IndividualNumber);
        Assert.Equal(1, new Jlis.Storage.JlisStore(database.Database).Counts().RequestRecords);
    }
}
