/** `simclr augment`: augmentation gallery (in progress). */
import type { Command } from "./main";

/** The `simclr augment` command. */
export const command: Command = {
  summary: "write a gallery PNG of augmented views",
  async run(): Promise<number> {
    console.error("simclr augment: not available yet");
    return 1;
  },
};
