using System.CommandLine;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Institutions;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei jlis register|institutions|ward-key</c>: J-LIS's own registry of connected institutions (住基ネットの接続団体) in
/// the data directory's J-LIS database. A ward must be registered (code, role and signing key) before J-LIS answers it,
/// unless J-LIS finds it in the network's registry; a served J-LIS sees a registration at once.
/// </summary>
public static class JlisCommands
{
    public sealed record InstitutionOutput(string Code, string Name, string Role);

    public static void AddTo(RootCommand root)
    {
        var jlis = new Command("jlis", "J-LIS's registry of connected institutions: wards, the portal, verifiers, the card call centre");
        jlis.Subcommands.Add(RegisterCommand());
        jlis.Subcommands.Add(ListCommand());
        jlis.Subcommands.Add(WardKeyCommand());
        root.Subcommands.Add(jlis);
    }

    private static Command RegisterCommand()
    {
        var code = new Option<string>("--code") { Description = "the institution's code (a ward: its local government code, e.g. 131091)", Required = true };
        var name = new Option<string>("--name") { Description = "its name (e.g. 品川区)", Required = true };
        var role = new Option<string>("--role")
        {
            Description = "municipality, portal, verifier or card-call-centre",
            Required = true,
        };
        var key = new Option<string?>("--signing-public-key") { Description = "its signing public key (P-256, SubjectPublicKeyInfo DER, base64)" };
        var keysFile = new Option<FileInfo?>("--public-keys") { Description = "a file with its public keys as 'renkei serve --public-keys' or 'renkei jlis ward-key' prints them" };
        var command = new Command("register", "register (or re-register) an institution at J-LIS") { code, name, role, key, keysFile };
        command.SetAction(parse =>
        {
            var roleText = parse.GetValue(role)!.Replace("-", "", StringComparison.Ordinal);
            var chosen = JlisRoles.All.FirstOrDefault(r => string.Equals(r, roleText, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException("--role must be municipality, portal, verifier or card-call-centre");
            var signing = (parse.GetValue(key), parse.GetValue(keysFile)) switch
            {
                ({ } given, null) => given,
                (null, { } file) => ReadKeysFile(file, parse.GetValue(code)!),
                _ => throw new UsageException("give either --signing-public-key or --public-keys"),
            };
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            try
            {
                new JlisInstitutions(layout.JlisDatabase()).Register(new JlisInstitution(parse.GetValue(code)!, parse.GetValue(name)!, chosen, signing));
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
            }
            Console.WriteLine($"registered {parse.GetValue(code)} as {chosen} at J-LIS");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string ReadKeysFile(FileInfo file, string code)
    {
        if (!file.Exists) throw new UsageException($"--public-keys: {file.Name}: no such file");
        try
        {
            var keys = JsonSerializer.Deserialize<InstitutionPublicKeys>(File.ReadAllText(file.FullName), JsonDefaults.Options);
            if (keys is null || keys.Code != code) throw new UsageException($"--public-keys: the file holds no keys of {code}");
            return keys.SigningPublicKey;
        }
        catch (JsonException)
        {
            throw new UsageException($"--public-keys: {file.Name} is not a public-keys file");
        }
    }

    private static Command ListCommand()
    {
        var json = CliOptions.Json();
        var command = new Command("institutions", "list the institutions registered at J-LIS") { json };
        command.SetAction(parse =>
        {
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            var all = new JlisInstitutions(layout.JlisDatabase()).All().Select(i => new InstitutionOutput(i.Code, i.Name, i.Role)).ToList();
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(all, JsonDefaults.Options));
            else foreach (var i in all) Console.WriteLine($"{i.Code}\t{i.Role}\t{i.Name}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command WardKeyCommand()
    {
        var municipality = new Option<string>("--municipality", "-m") { Description = "local government code (e.g. 131091)", Required = true };
        var command = new Command("ward-key", "print a ward's public keys (created on first use) for J-LIS's registry, as --public-keys reads them") { municipality };
        command.SetAction(parse =>
        {
            var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            using var keys = InstitutionKeys.LoadOrCreate(layout.MunicipalityInstitutionKeyDirectory(code));
            Console.WriteLine(JsonSerializer.Serialize(new InstitutionPublicKeys(code.Digits, keys.SigningPublicKey, keys.SealingPublicKey),
                JsonDefaults.Options));
            return ExitCodes.Success;
        });
        return command;
    }
}
