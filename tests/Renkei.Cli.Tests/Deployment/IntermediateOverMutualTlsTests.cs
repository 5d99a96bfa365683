using System.Net;
using System.Security.Cryptography.X509Certificates;
using Renkei.Infrastructure.Signing;
using Renkei.Infrastructure.Tls;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.TestSupport;
using Renkei.ServiceDefaults.Signing;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// Issue 12's finding over mutual TLS: 大田区's certificate (a valid node certificate of the network's CA) could write and
/// read copies on 品川区's intermediate server. Now only 品川区 itself — its certificate, with or without its signature —
/// gets past the holder's doors.
/// </summary>
public sealed class IntermediateOverMutualTlsTests : IDisposable
{
    private const string Shinagawa = "131091";
    private const string Ota = "131113";

    private readonly NodeCertificateAuthority _authority = NodeCertificateAuthority.Create();

    public void Dispose() => _authority.Dispose();

    private MutualTls Node(string code)
    {
        using var issued = _authority.Issue(code, ["localhost", "127.0.0.1"]);
        return new MutualTls(X509CertificateLoader.LoadPkcs12(issued.Export(X509ContentType.Pkcs12), null),
            X509CertificateLoader.LoadCertificate(_authority.Certificate.RawData));
    }

    private static CopyUpdate LocalTax(long addressee) =>
        new(addressee, InformationKindCodes.LocalTax, new DateOnly(2026, 6, 1), 1, CopyBodies.ToJson(new LocalTaxBody(
            2026, Taxable: true, TotalIncome: 4_000_000, TotalDeductions: 1_000_000, TaxableIncome: 3_000_000,
            IncomeBasedTaxAmount: 300_000, PerCapitaLevy: 5_000, DependantsCount: 1)));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Another_wards_certificate_can_neither_write_nor_read_copies_and_the_holders_own_can(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var keys = new TempDirectory();
        using var wardDatabase = database.Sibling();
        // The ward's intermediate server as 'renkei serve --role municipality' runs it from the ward's file, on the ward's node certificate.
        await using var role = await CountryRoles.StartAsync(CountryRole.Municipality, NodeFiles.Settings(
            new Dictionary<string, string?>
            {
                ["Ward:Database"] = wardDatabase.Setting, ["Ward:Code"] = Shinagawa, ["Ward:Name"] = "品川区", ["Ward:KeyDirectory"] = keys.Path,
                ["Ward:JlisAddress"] = "https://127.0.0.1:9/",
                ["Intermediate:Database"] = database.Setting, ["Intermediate:HolderCode"] = Shinagawa, ["Intermediate:HolderName"] = "品川区",
                ["Intermediate:InstitutionKeyDirectory"] = keys.Path,
                ["Serve:AuditKeyFile"] = keys.File("audit-signing.key"), ["Serve:TotpKeyFile"] = keys.File("totp.key"),
            },
            NodeFiles.ServeTls(_authority, Shinagawa, keys.File("pki"))));
        var host = role.Services[1];
        Assert.Equal("https", host.BaseAddress.Scheme);

        // 大田区's certificate, from the same CA: refused at the door, before the body is read.
        using var otaTls = Node(Ota);
        using (var ota = new IntermediateHttpClient(new HttpClient(otaTls.CreateHandler()) { BaseAddress = host.BaseAddress }, ownsHttpClient: true))
        {
            var write = await Assert.ThrowsAsync<IntermediateException>(() => ota.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Shinagawa, LocalTax(7), Actor.System("cli-test", "copy-registration"))));
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.UnknownInstitution), (write.Status, write.Code));
            var read = await Assert.ThrowsAsync<IntermediateException>(() =>
                ota.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Shinagawa, 7, null, InformationKindCodes.LocalTax, null, Actor.System("cli-test", "copy-registration"))));
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.UnknownInstitution), (read.Status, read.Code));
            var stream = await Assert.ThrowsAsync<IntermediateException>(() => ota.LoadStreamAsync(Shinagawa, Actor.System("cli-test", "copy-registration"), new[] { LocalTax(8) }.ToAsyncEnumerable()));
            Assert.Equal(HttpStatusCode.Unauthorized, stream.Status);
        }
        Assert.Equal(0, new Renkei.Intermediate.Storage.IntermediateStore(database.Database).CountCopies(Shinagawa));

        // 品川区's own certificate alone (its business systems, deployed) …
        using var shinagawaTls = Node(Shinagawa);
        using (var own = new IntermediateHttpClient(new HttpClient(shinagawaTls.CreateHandler()) { BaseAddress = host.BaseAddress }, ownsHttpClient: true))
        {
            Assert.Equal(CopyUpdateOutcome.Created, (await own.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Shinagawa, LocalTax(7), Actor.System("cli-test", "copy-registration")))).Outcome);
            Assert.Equal(1, (await own.LoadStreamAsync(Shinagawa, Actor.System("cli-test", "copy-registration"), new[] { LocalTax(8) }.ToAsyncEnumerable())).Stored);
        }
        // … and with its signature too (certificate and signature agree).
        using var institution = InstitutionKeys.LoadOrCreate(keys.Path);
        using (var signed = IntermediateHttpClient.Signed(host.BaseAddress, Shinagawa, institution.Signing, shinagawaTls.CreateHandler()))
            Assert.Equal(ProvisionOutcome.Provided,
                (await signed.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Shinagawa, 7, null, InformationKindCodes.LocalTax, null, Actor.System("cli-test", "copy-registration")))).Outcome);

        // 大田区's certificate with a signature claiming 品川区: the certificate and the signature disagree.
        using (var claiming = IntermediateHttpClient.Signed(host.BaseAddress, Shinagawa, institution.Signing, otaTls.CreateHandler()))
        {
            var refused = await Assert.ThrowsAsync<IntermediateException>(() =>
                claiming.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Shinagawa, 7, null, InformationKindCodes.LocalTax, null, Actor.System("cli-test", "copy-registration"))));
            Assert.Equal((HttpStatusCode.Unauthorized, CallerCertificate.MismatchCode), (refused.Status, refused.Code));
        }
    }
}
