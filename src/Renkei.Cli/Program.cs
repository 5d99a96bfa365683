using System.CommandLine;
using System.Text;
using Renkei.Cli;
using Renkei.Cli.Commands;

Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

var root = new RootCommand("Renkei (連携): an open implementation of Japan's My Number system — numbers, municipalities, J-LIS and the linkage network.");
root.Options.Add(CliOptions.DataDirectory);
NumberCommands.AddTo(root);
RegistryCommands.AddTo(root);
CertificateCommands.AddTo(root);
SealCommands.AddTo(root);
ServeCommand.AddTo(root);
DemoCommand.AddTo(root);
BenchCommands.AddTo(root);
AuditCommands.AddTo(root);
RecordsCommands.AddTo(root);
StaffCommands.AddTo(root);
RetentionCommand.AddTo(root);
CardCommands.AddTo(root);
PkiCommands.AddTo(root);
JlisCommands.AddTo(root);
DbCommands.AddTo(root);
FeedCommands.AddTo(root);
PiaCommands.AddTo(root);
KioskCommands.AddTo(root);
SupportMeasureCommands.AddTo(root);
TaxCommands.AddTo(root);

return await CommandLineRunner.RunAsync(root, args);
