export async function run(): Promise<void> {
  console.log("console-list: not written yet");
}
